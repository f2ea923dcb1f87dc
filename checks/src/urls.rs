//! URL analysis. STUB.
