//! YAML test files read as JSON values, for both test binaries (`#[path]` in their `main.rs`).
//! saphyr is the maintained YAML 1.2 library whose parser (`saphyr-parser`) skuld's own loader
//! is built on; it replaced the archived `serde_yaml` here.

use saphyr::{LoadableYamlNode, Scalar, Yaml};
use serde_json::{Map, Number, Value};

/// The first document of `text` as a YAML 1.2 (core schema) tree, mapping order kept.
pub fn load(text: &str) -> Result<Yaml<'_>, String> {
    let mut docs = Yaml::load_from_str(text).map_err(|e| e.to_string())?;
    if docs.is_empty() {
        return Ok(Yaml::Value(Scalar::Null));
    }
    Ok(docs.swap_remove(0))
}

/// The first document of `text` as JSON: scalars by the YAML 1.2 core schema, mapping keys as
/// strings. Aliases and keys that are collections are refused (no test file uses them).
pub fn to_json(text: &str) -> Result<Value, String> {
    json(&load(text)?)
}

fn json(node: &Yaml<'_>) -> Result<Value, String> {
    Ok(match node {
        Yaml::Value(scalar) => scalar_json(scalar),
        Yaml::Sequence(items) => Value::Array(items.iter().map(json).collect::<Result<_, _>>()?),
        Yaml::Mapping(entries) => {
            let mut map = Map::new();
            for (key, value) in entries {
                let key = match json(key)? {
                    Value::String(s) => s,
                    Value::Array(_) | Value::Object(_) => {
                        return Err("a mapping key that is a collection".to_owned());
                    }
                    other => other.to_string(),
                };
                map.insert(key, json(value)?);
            }
            Value::Object(map)
        }
        Yaml::Tagged(_, inner) => json(inner)?,
        Yaml::Representation(text, _, _) => Value::String(text.to_string()),
        Yaml::Alias(_) => return Err("an alias (not used in test files)".to_owned()),
        Yaml::BadValue => return Err("a scalar that is not valid for its tag".to_owned()),
    })
}

fn scalar_json(scalar: &Scalar<'_>) -> Value {
    match scalar {
        Scalar::Null => Value::Null,
        Scalar::Boolean(b) => Value::Bool(*b),
        Scalar::Integer(i) => Value::from(*i),
        Scalar::FloatingPoint(f) => Number::from_f64(f.into_inner())
            .map_or_else(|| Value::String(f.to_string()), Value::Number),
        Scalar::String(s) => Value::String(s.to_string()),
    }
}
