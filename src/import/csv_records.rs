//! CSV rows as `CreateDealInput` objects. The header names the fields, as the API names them
//! (`title`, `value`, `currency`, `pipelineId`, `stageId`, `contactId`, `companyId`, `ownerId`,
//! `expectedCloseDate`, `priority`, `source`, `status`, `createdAt`, `stageChangedAt`,
//! `closedAt`, `lostReason`); `tags` holds tags separated by `;`, `customFields` a JSON object.
//! Product lines come in `product.name`, `product.quantity`, `product.unitPrice`,
//! `product.discount`, `product.discountType`, `product.taxPercentage`, `product.taxMethod`:
//! consecutive rows with the same non-empty `ref` are one deal (its first row gives the
//! deal's fields), each row adding its line. Empty cells are left out.

use serde_json::{Map, Value as Json};

/// The deals of a CSV text: each with the number of its first row, or why it is not one.
pub fn records(text: &str) -> Vec<(usize, Result<Json, String>)> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(text.as_bytes());
    let headers = match reader.headers() {
        Ok(headers) => headers.clone(),
        Err(err) => return vec![(1, Err(format!("the header row is unreadable: {err}")))],
    };
    let mut deals: Vec<(usize, Result<Json, String>)> = Vec::new();
    let mut current_ref: Option<String> = None;
    for (i, record) in reader.records().enumerate() {
        let row = i + 2;
        let record = match record {
            Ok(record) => record,
            Err(err) => {
                deals.push((row, Err(format!("the row is unreadable: {err}"))));
                current_ref = None;
                continue;
            }
        };
        let mut deal = Map::new();
        let mut product = Map::new();
        let mut reference = None;
        let mut problem = None;
        for (name, cell) in headers.iter().zip(record.iter()) {
            let cell = cell.trim();
            if cell.is_empty() {
                continue;
            }
            match name {
                "ref" => reference = Some(cell.to_owned()),
                "tags" => {
                    let tags = cell.split(';').map(|t| Json::String(t.trim().to_owned()));
                    deal.insert("tags".into(), Json::Array(tags.collect()));
                }
                "customFields" => match serde_json::from_str::<Json>(cell) {
                    Ok(fields) => {
                        deal.insert("customFields".into(), fields);
                    }
                    Err(_) => problem = Some("customFields is not JSON".to_owned()),
                },
                name if name.starts_with("product.") => {
                    product.insert(
                        name["product.".len()..].to_owned(),
                        Json::String(cell.into()),
                    );
                }
                name => {
                    deal.insert(name.to_owned(), Json::String(cell.to_owned()));
                }
            }
        }
        if let Some(problem) = problem {
            deals.push((row, Err(problem)));
            current_ref = None;
            continue;
        }
        let continues = reference.is_some() && reference == current_ref;
        if continues && let Some((_, Ok(Json::Object(previous)))) = deals.last_mut() {
            if !product.is_empty() {
                push_product(previous, product);
            }
            continue;
        }
        if !product.is_empty() {
            push_product(&mut deal, product);
        }
        current_ref = reference;
        deals.push((row, Ok(Json::Object(deal))));
    }
    deals
}

fn push_product(deal: &mut Map<String, Json>, product: Map<String, Json>) {
    let products = deal
        .entry("products")
        .or_insert_with(|| Json::Array(Vec::new()));
    if let Json::Array(lines) = products {
        lines.push(Json::Object(product));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn rows_with_one_ref_are_one_deal_with_a_line_each() {
        let text = "ref,title,status,lostReason,tags,product.name,product.quantity,product.unitPrice\n\
                    a,Acme,WON,,hot;vip,Licence,2,100.00\n\
                    a,ignored,,,,Support,1,50\n\
                    ,Beta,LOST,Budget,,,,\n\
                    c,Gamma,,,,,,\n";
        let deals = records(text);
        assert_eq!(deals.len(), 3);
        assert_eq!(deals[0].0, 2);
        assert_eq!(
            deals[0].1,
            Ok(
                json!({ "title": "Acme", "status": "WON", "tags": ["hot", "vip"],
                       "products": [
                           { "name": "Licence", "quantity": "2", "unitPrice": "100.00" },
                           { "name": "Support", "quantity": "1", "unitPrice": "50" } ] })
            )
        );
        assert_eq!(
            deals[1].1,
            Ok(json!({ "title": "Beta", "status": "LOST", "lostReason": "Budget" }))
        );
        assert_eq!(deals[2], (5, Ok(json!({ "title": "Gamma" }))));
    }

    #[test]
    fn unreadable_rows_are_reported_by_number() {
        let deals = records("title,customFields\nA,{nope\nB,\"{\"\"seats\"\": 3}\"\n");
        assert_eq!(deals[0], (2, Err("customFields is not JSON".to_owned())));
        assert_eq!(
            deals[1],
            (
                3,
                Ok(json!({ "title": "B", "customFields": { "seats": 3 } }))
            )
        );
        let ragged = records("title,value\nA\n");
        assert!(ragged[0].1.is_err(), "{ragged:?}");
    }
}
