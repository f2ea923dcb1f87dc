//! Value analysis of the key. STUB.
