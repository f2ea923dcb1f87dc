//! The small, made-up data set the mock serves. Shapes follow the docs where they say
//! something (`items` for DAM lists; `@readLink`, `@nextLink`, `@count`, `value` for
//! Catalog lists); field names inside the objects are invented (assumption).

use super::respond::Paging;
use serde_json::{Value, json};

fn page(all: Vec<Value>, paging: &Paging, default_top: usize) -> (Vec<Value>, usize, bool) {
    let count = all.len();
    let top = paging.top.unwrap_or(default_top);
    let items: Vec<Value> = all.into_iter().skip(paging.skip).take(top).collect();
    let more = paging.skip.saturating_add(top) < count;
    (items, count, more)
}

pub(super) fn dam_images(paging: &Paging) -> Value {
    let all: Vec<Value> = [
        (1001, "IMG-CHAIR-RED", "chair-red.jpg", 1200, 900),
        (1002, "IMG-CHAIR-BLUE", "chair-blue.jpg", 1200, 900),
        (1003, "IMG-TABLE-OAK", "table-oak.png", 1600, 1200),
    ]
    .into_iter()
    .map(|(id, reference, file, w, h)| {
        json!({
            "id": id,
            "reference": reference,
            "fileName": file,
            "url": format!("https://cdn.example.invalid/sl-doctor-mock/{file}"),
            "width": w,
            "height": h,
            "status": "ready",
        })
    })
    .collect();
    let (items, _, _) = page(all, paging, 100);
    json!({ "items": items })
}

pub(super) fn products() -> Vec<Value> {
    vec![
        json!({"prod_id": 1, "prod_ref": "CHAIR-01", "prod_name": "Chair", "cat_id": [10]}),
        json!({"prod_id": 2, "prod_ref": "TABLE-01", "prod_name": "Table", "cat_id": [10]}),
        json!({"prod_id": 3, "prod_ref": "LAMP-01", "prod_name": "Lamp", "cat_id": [20]}),
    ]
}

pub(super) fn categories() -> Vec<Value> {
    vec![
        json!({"cat_id": 10, "cat_ref": "FURNITURE", "cat_name": "Furniture", "cat_parent_id": null}),
        json!({"cat_id": 20, "cat_ref": "LIGHTING", "cat_name": "Lighting", "cat_parent_id": null}),
    ]
}

pub(super) fn variants() -> Vec<Value> {
    vec![
        json!({"var_id": 100, "var_ref": "CHAIR-01-RED", "prod_id": 1, "color": "red"}),
        json!({"var_id": 101, "var_ref": "CHAIR-01-BLUE", "prod_id": 1, "color": "blue"}),
    ]
}

/// A Catalog list: `@readLink`, `@nextLink` (when more), `@count`, `value`.
pub(super) fn catalog_list(base_url: &str, path: &str, all: Vec<Value>, paging: &Paging) -> Value {
    let (items, count, more) = page(all, paging, 100);
    let mut body = json!({
        "@readLink": format!("{base_url}{path}"),
        "@count": count,
        "value": items,
    });
    if more {
        let top = paging.top.unwrap_or(100);
        body["@nextLink"] = json!(format!(
            "{base_url}{path}?$top={top}&$skip={}",
            paging.skip + top
        ));
    }
    body
}

fn entity(key: &str, props: &[(&str, &str)]) -> Value {
    let mut t = json!({ "$Kind": "EntityType", "$Key": [key] });
    for (name, ty) in props {
        t[*name] = json!({ "$Type": ty });
    }
    t
}

fn category_type() -> Value {
    entity(
        "cat_id",
        &[
            ("cat_id", "Edm.Int64"),
            ("cat_ref", "Edm.String"),
            ("cat_name", "Edm.String"),
            ("cat_parent_id", "Edm.Int64"),
        ],
    )
}

/// The whole model, in the shape of OData CSDL JSON (shape is an assumption).
pub(super) fn catalog_metadata() -> Value {
    json!({
        "$Version": "4.0",
        "$EntityContainer": "Catalog.Container",
        "Catalog": {
            "Product": entity("prod_id", &[
                ("prod_id", "Edm.Int64"), ("prod_ref", "Edm.String"),
                ("prod_name", "Edm.String"), ("cat_id", "Collection(Edm.Int64)"),
            ]),
            "Category": category_type(),
            "Variant": entity("var_id", &[
                ("var_id", "Edm.Int64"), ("var_ref", "Edm.String"),
                ("prod_id", "Edm.Int64"), ("color", "Edm.String"),
            ]),
            "Container": {
                "$Kind": "EntityContainer",
                "Products": { "$Collection": true, "$Type": "Catalog.Product" },
                "Categories": { "$Collection": true, "$Type": "Catalog.Category" },
                "Variants": { "$Collection": true, "$Type": "Catalog.Variant" },
            },
        },
    })
}

/// `Categories/$metadata`: the Category type only.
pub(super) fn categories_metadata() -> Value {
    json!({
        "$Version": "4.0",
        "Catalog": { "Category": category_type() },
    })
}
