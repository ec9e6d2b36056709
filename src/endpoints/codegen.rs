//! The package's generated files, from the same table: the TypeScript declarations (`endpoints.d.ts`) and
//! the table as JSON (`endpoints.json`, for tools that build forms from it). `cargo test` keeps the
//! committed copies in `pkg-template/` current.

use super::table::{Effect, Member, Shape, ENDPOINTS};
use serde::Serialize;
use std::fmt::Write;

fn ts_shape(shape: &Shape, out: &mut String, for_params: bool) {
    match shape {
        Shape::Str | Shape::Date | Shape::Currency | Shape::Text { .. } => out.push_str("string"),
        Shape::Code(codes) => {
            let alts: Vec<String> = codes.iter().map(|c| format!("\"{c}\"")).collect();
            out.push_str(&alts.join(" | "));
        }
        // The examples offered by an editor, any other code accepted.
        Shape::ServiceCode(codes) => {
            let alts: Vec<String> = codes.iter().map(|c| format!("\"{c}\"")).collect();
            out.push_str(&alts.join(" | "));
            out.push_str(" | (string & {})");
        }
        Shape::Id | Shape::Rupiah { .. } | Shape::Time => out.push_str("number"),
        // Parameters take a decimal string (or a number, read from its shortest text); results are strings.
        Shape::Amount { .. } => out.push_str(if for_params { "string | number" } else { "string" }),
        // Both ends inclusive; a `Date` is sent as the service's local time of that instant.
        Shape::DateRange => out.push_str("{ from?: string | Date; to?: string | Date }"),
        Shape::StrMap => out.push_str("Record<string, string>"),
        Shape::Scalar => out.push_str("string | number"),
        Shape::Bool => out.push_str("boolean"),
        Shape::Any => out.push_str("JsonValue"),
        Shape::Nothing => out.push_str("null"),
        Shape::List(item) => {
            out.push_str("Array<");
            ts_shape(item, out, for_params);
            out.push('>');
        }
        Shape::Object(members) => ts_members(members, out, for_params),
    }
}

/// What a reader of the types must know about the date filters.
const DATE_DOC: &str =
    "/** `Y-m-d H:i:s` in the service's time zone, Asia/Jakarta (UTC+7): \"2018-04-09 00:00:00\" is \
    2018-04-08T17:00:00Z. A `Date` (or an ISO string with `Z` or an offset) is sent as the service's local time \
    of that instant. Both ends inclusive. */ ";

fn ts_members(members: &[Member], out: &mut String, for_params: bool) {
    out.push_str("{ ");
    for m in members {
        if matches!(m.shape, Shape::DateRange) {
            out.push_str(DATE_DOC);
        }
        let _ = write!(out, "{}{}: ", m.name, if m.required { "" } else { "?" });
        ts_shape(&m.shape, out, for_params);
        out.push_str("; ");
    }
    out.push('}');
}

/// The TypeScript declarations of every endpoint's parameters and result, generated from [`ENDPOINTS`]:
/// `Endpoint` (the union of paths), `EndpointParams[E]`, `EndpointResult[E]`.
pub fn typescript() -> String {
    let mut out = String::from(
        "// Generated from the endpoint table (src/endpoints/table.rs) by `cargo test`: do not edit.\n\n\
         /** Any JSON value: the payload of the endpoints whose answers the service does not document (SPEC.md §5). */\n\
         export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };\n\n",
    );
    out.push_str("/** Every endpoint of the service, by path (no leading slash). */\nexport type Endpoint =\n");
    for e in ENDPOINTS {
        let _ = writeln!(out, "  | \"{}\"", e.path);
    }
    out.push_str(";\n\n/** The parameters of each endpoint (for searches: the filters, sent under `search`). */\nexport interface EndpointParams {\n");
    for e in ENDPOINTS {
        let _ = write!(out, "  \"{}\": ", e.path);
        ts_members(e.params, &mut out, true);
        out.push_str(";\n");
    }
    out.push_str("}\n\n/** The payload each endpoint resolves to (money as decimal strings, whole rupiah as numbers). */\nexport interface EndpointResult {\n");
    for e in ENDPOINTS {
        let _ = write!(out, "  \"{}\": ", e.path);
        ts_shape(&e.result, &mut out, false);
        out.push_str(";\n");
    }
    out.push_str("}\n\n/** The client's method for each endpoint; each calls `request(path, params)`. */\nexport interface CekMutasiMethods {\n");
    for e in ENDPOINTS {
        let optional = if e.params.iter().any(|p| p.required) { "" } else { "?" };
        let _ = writeln!(
            out,
            "  {m}(params{optional}: EndpointParams[\"{p}\"]): Promise<EndpointResult[\"{p}\"]>;",
            m = e.method,
            p = e.path
        );
    }
    out.push_str("}\n");
    out
}

/// The table as JSON, for tools that build forms from it (the demo page): each endpoint with its
/// parameters flattened to dotted names (`date.from`) and a kind (`string`, `code` with `options`, `id`,
/// `amount`, `rupiah` with `min`, `date`, `currency`, `text` with `max`, `bool`, `scalar`, `json`).
/// Generated into `pkg-template/endpoints.json` by `cargo test`, like the TypeScript types.
pub fn table_json() -> String {
    let rows: Vec<String> = ENDPOINTS
        .iter()
        .map(|e| {
            let mut params = Vec::new();
            fields(e.params, "", true, &mut params);
            let row = Row {
                path: e.path,
                verb: e.verb.as_str(),
                payload: e.payload,
                effect: match e.effect {
                    Effect::ReadOnly => "read_only",
                    Effect::Writes => "writes",
                    Effect::MovesMoney => "moves_money",
                },
                documented: e.documented,
                search: e.search,
                method: e.method,
                params,
            };
            format!("  {}", serde_json::to_string(&row).unwrap_or_else(|_| unreachable!("plain data serialises")))
        })
        .collect();
    format!("[\n{}\n]\n", rows.join(",\n"))
}

/// One endpoint in `endpoints.json`.
#[derive(Serialize)]
struct Row {
    path: &'static str,
    verb: &'static str,
    payload: &'static str,
    effect: &'static str,
    documented: bool,
    search: bool,
    method: &'static str,
    params: Vec<Field>,
}

/// One parameter in `endpoints.json`, flattened to a dotted name.
#[derive(Serialize)]
struct Field {
    name: String,
    required: bool,
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    options: Option<&'static [&'static str]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    max: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    min: Option<u64>,
}

fn fields(members: &[Member], prefix: &str, required: bool, out: &mut Vec<Field>) {
    for m in members {
        let name = format!("{prefix}{}", m.name);
        let required = required && m.required;
        let field = |name: String, required: bool, kind: &'static str| Field {
            name,
            required,
            kind,
            options: None,
            max: None,
            min: None,
        };
        match m.shape {
            Shape::DateRange => {
                out.push(field(format!("{name}.from"), false, "date"));
                out.push(field(format!("{name}.to"), false, "date"));
            }
            Shape::Object(inner) => fields(inner, &format!("{name}."), required, out),
            Shape::Code(options) => out.push(Field { options: Some(options), ..field(name, required, "code") }),
            Shape::ServiceCode(options) => {
                out.push(Field { options: Some(options), ..field(name, required, "service_code") })
            }
            Shape::Text { max } => out.push(Field { max: Some(max), ..field(name, required, "text") }),
            Shape::Rupiah { min } => out.push(Field { min: Some(min), ..field(name, required, "rupiah") }),
            Shape::Str => out.push(field(name, required, "string")),
            Shape::Id => out.push(field(name, required, "id")),
            Shape::Amount { .. } => out.push(field(name, required, "amount")),
            Shape::Date => out.push(field(name, required, "date")),
            Shape::Currency => out.push(field(name, required, "currency")),
            Shape::Bool => out.push(field(name, required, "bool")),
            Shape::Scalar => out.push(field(name, required, "scalar")),
            Shape::Time => out.push(field(name, required, "time")),
            Shape::StrMap | Shape::List(_) | Shape::Any | Shape::Nothing => out.push(field(name, required, "json")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_files_are_current() {
        // The committed declarations and table must be what the table generates; UPDATE_TYPES=1 rewrites them.
        for (file, generated) in [("endpoints.d.ts", typescript()), ("endpoints.json", table_json())] {
            let path = format!("{}/pkg-template/{file}", env!("CARGO_MANIFEST_DIR"));
            if std::env::var_os("UPDATE_TYPES").is_some() {
                std::fs::write(&path, &generated).unwrap();
            }
            let committed = std::fs::read_to_string(&path).unwrap_or_default();
            assert!(committed == generated, "pkg-template/{file} is stale: run UPDATE_TYPES=1 cargo test --lib");
        }
        let table: serde_json::Value = serde_json::from_str(&table_json()).unwrap();
        assert_eq!(table.as_array().unwrap().len(), 29);
        let search = &table[5];
        assert_eq!(search["path"], "bank/search");
        assert_eq!(search["params"][0], serde_json::json!({"name": "date.from", "required": false, "kind": "date"}));
    }
}
