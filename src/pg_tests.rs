//! Rust-level tests run inside Postgres by `cargo pgrx test`: units whose edge
//! cases are easier to state in Rust than through SQL.

#[pgrx::pg_schema]
mod tests {
    use pgrx::prelude::*;
    use serde_json::{json, Value};

    use crate::plan::params::{array_text, as_list, scalar_text};
    use crate::schema::names::{is_graphql_name, relation_type_name};
    use crate::schema::reflect::pg_text_array;
    use crate::schema::scalars::{column_type, ScalarKind};

    fn resolve(query: &str, variables: Value) -> Value {
        crate::execute::resolve(query, &variables, None).into_value()
    }

    #[pg_test]
    fn type_shapes_ignore_descriptions_and_member_order() {
        use crate::schema::type_shape::shapes;
        let a = shapes("\"a filter\"\ninput IntFilter { _eq: Int _in: [Int!] }\nenum Color { RED GREEN }");
        let b = shapes("input IntFilter { _in: [Int!] _eq: Int }\nenum Color { GREEN \"g\" RED }");
        assert_eq!(a["IntFilter"], b["IntFilter"]);
        assert_eq!(a["Color"], b["Color"]);
        let c = shapes("input IntFilter { _eq: Int! }\nenum Color { RED }");
        assert_ne!(a["IntFilter"], c["IntFilter"]);
        assert_ne!(a["Color"], c["Color"]);
        assert!(!a.contains_key("String"));
    }

    #[pg_test]
    fn a_response_is_compacted_outside_strings_only() {
        let source = b"{\"a b\" : [1, \n \"x \\\" y\\\\\", {\"c\" : null}], \"d\\t\" : \"  \"}";
        let mut target = vec![0u8; source.len()];
        let n = crate::response::compact(source, &mut target);
        assert_eq!(std::str::from_utf8(&target[..n]).unwrap(), r#"{"a b":[1,"x \" y\\",{"c":null}],"d\t":"  "}"#);
    }

    #[pg_test]
    fn joins_are_found_and_written_in_the_statement_text() {
        use crate::error::PathSegment;
        use crate::execute::joins::text::{locate, write};
        use crate::schema::join_field::JoinField;
        use crate::schema::remote_join::RemoteRelationship;
        let field = crate::query::normalize::Field {
            response_key: "user".into(),
            name: "user".into(),
            arguments: Default::default(),
            selection: Vec::new(),
            ast: Vec::new(),
        };
        let relationship = JoinField::Remote(RemoteRelationship {
            batch: None,
            name: "user".into(),
            remote: 0,
            lhs: vec![("user_id".into(), "user_id".into())],
            path: Vec::new(),
            field_sdl: String::new(),
            input_types: Vec::new(),
        });
        let joins = [crate::plan::Join::at_hidden_key(relationship, vec!["orders".into(), "user".into()], field)];
        // As json_build_object and json_agg write it: spaces and newlines between tokens, a
        // json column whose content has a key like ours, a string with brackets and escapes,
        // a key with a null part, an empty array.
        let text = "{\"orders\" : [{\"id\" : 1, \"meta\" : {\"pgf:user\" : [9], \"s\" : \"a \\\"}\\\" [\"}, \"pgf:user\" : [7], \"n\" : null}, \n \
                    {\"id\" : 2, \"pgf:user\" : [null], \"e\" : []}, \n {\"id\" : 3, \"pgf:user\" : [7]}]}";
        let (sites, keys) = locate(text, &joins);
        assert_eq!(sites.len(), 3, "the column's own key is not a join's");
        let distinct: Vec<(&String, Vec<PathSegment>)> =
            keys[0].distinct.iter().map(|(key, (_, parent))| (key, parent.field_path(&joins[0]))).collect();
        let first_parent = vec![PathSegment::Key("orders".into()), PathSegment::Index(0), PathSegment::Key("user".into())];
        assert_eq!(distinct, [(&"[7]".to_string(), first_parent)]);
        // A path past the steps kept in place, and an index past 32 bits, read back alike.
        let deep: Vec<String> = (0..6).map(|i| format!("k{i}")).collect();
        let deep_join = crate::plan::Join::at_hidden_key(joins[0].relationship.clone(), deep.clone(), joins[0].field.clone());
        let mut parent = crate::execute::joins::collect::ParentPath::default();
        let mut expected = Vec::new();
        for (i, name) in deep[..5].iter().enumerate() {
            parent.key();
            parent.index(i << (i * 8));
            expected.extend([PathSegment::Key(name.clone()), PathSegment::Index(i << (i * 8))]);
        }
        expected.push(PathSegment::Key("k5".into()));
        assert_eq!(parent.field_path(&deep_join), expected);
        // The remote's text as it wrote it, compacted on the way.
        let mut values = crate::execute::joins::text::Values::new(1);
        let answer = "{\"data\":{\"pgf_0\":{ \"name\" : \"user 7\" }}}";
        let number = values.keep(answer.to_string());
        values.set(0, 0, number, (answer.find("{ ").unwrap_or_default()..answer.len() - 2, 0..0));
        let out = write(text, &sites, &joins, &values, Some("[]"));
        assert_eq!(
            out,
            r#"{"data":{"orders":[{"id":1,"meta":{"pgf:user":[9],"s":"a \"}\" ["},"user":{"name":"user 7"},"n":null},{"id":2,"user":null,"e":[]},{"id":3,"user":{"name":"user 7"}}]},"errors":[]}"#
        );
    }

    #[pg_test]
    fn a_batch_key_field_is_cut_from_objects_as_the_remote_wrote_them() {
        use crate::execute::joins::raw::without_member;
        let objects = [
            r#"{"pgf_batch_key":1,"name":"a"}"#,
            r#"{"name":"a","pgf_batch_key":1}"#,
            r#"{"name":"a","pgf_batch_key":"x,}","n":[1,{"m":2}]}"#,
            r#"{"pgf_batch_key":1}"#,
            "{ \"pgf_batch_key\" :\n 1 , \"name\" : \"a\" }",
            "{\"a\":{\"pgf_batch_key\":2},\t\"pgf_batch_key\" : 1 }",
        ];
        for object in objects {
            let text = format!("[{object}]");
            let mut tree: Value = serde_json::from_str(object).unwrap();
            let key = tree.as_object_mut().and_then(|o| o.shift_remove("pgf_batch_key")).unwrap();
            let key_text = key.to_string();
            // The last member of that name is the object's own (a nested one comes first).
            let value_start = text.rfind(&key_text).unwrap();
            let (first, second) =
                without_member(&text, 1..text.len() - 1, value_start..value_start + key_text.len(), "pgf_batch_key").unwrap();
            let cut: Value = serde_json::from_str(&format!("{}{}", &text[first], &text[second])).unwrap();
            assert_eq!(cut, tree, "{object}");
        }
        // Not laid out as a member of that name: left to the tree.
        let text = r#"{"other":1}"#;
        assert_eq!(without_member(text, 0..text.len(), 9..10, "pgf_batch_key"), None);
    }

    #[pg_test]
    fn join_keys_read_directly_are_what_serde_reads() {
        use crate::execute::joins::text::key_values;
        let keys = [
            "[]", "[7]", "[-7,0]", "[\"a\"]", "[\"a,b\",1]", "[\"\\\"x\\\"\",2]", "[\",\"]", "[\"\"]",
            "[1.5]", "[1e3]", "[9223372036854775808]", "[true,null]", "[{\"a\":1}]", "[\"é\"]",
        ];
        for key in keys {
            let serde: Option<Vec<Value>> = serde_json::from_str(key).ok();
            assert_eq!(key_values(key), serde, "{key}");
        }
        assert_eq!(key_values("[-]"), None);
    }

    #[pg_test]
    fn graphql_names() {
        assert!(is_graphql_name("orders"));
        assert!(is_graphql_name("_x9"));
        assert!(!is_graphql_name("9lives"));
        assert!(!is_graphql_name("__reserved"));
        assert!(!is_graphql_name("has space"));
        assert!(!is_graphql_name(""));
        assert_eq!(relation_type_name("public", "t"), "t");
        assert_eq!(relation_type_name("shop", "t"), "shop_t");
    }

    #[pg_test]
    fn array_literals_escape_quotes_and_backslashes() {
        let text = column_type("text", None, None);
        let literal = array_text(&[json!("a\"b"), json!("c\\d"), Value::Null, json!("{,}")], &text).unwrap();
        assert_eq!(literal, r#"{"a\"b","c\\d",NULL,"{,}"}"#);
        // Postgres reads it back as the same four values.
        let back = Spi::get_one_with_args::<Vec<Option<String>>>("select $1::text[]", &[literal.as_str().into()])
            .unwrap()
            .unwrap();
        assert_eq!(back, vec![Some("a\"b".into()), Some("c\\d".into()), None, Some("{,}".into())]);
        assert_eq!(pg_text_array(&["x\"y"]), r#"{"x\"y"}"#);
    }

    #[pg_test]
    fn scalar_text_forms() {
        let jsonb = column_type("jsonb", None, None);
        assert_eq!(jsonb.kind, ScalarKind::Json);
        assert_eq!(scalar_text(&json!({"a": [1]}), &jsonb).unwrap(), r#"{"a":[1]}"#);
        assert_eq!(scalar_text(&json!("s"), &jsonb).unwrap(), r#""s""#);
        let int = column_type("int4", None, None);
        assert_eq!(scalar_text(&json!(12), &int).unwrap(), "12");
        assert!(scalar_text(&Value::Null, &int).is_err());
        assert!(scalar_text(&json!([1]), &int).is_err());
        assert_eq!(as_list(&json!(3)), vec![json!(3)]);
    }

    #[pg_test]
    fn enum_types_with_unusable_labels_fall_back_to_string() {
        let good = column_type("mood", None, Some(&vec!["happy".into(), "sad".into()]));
        assert_eq!(good.scalar, "mood");
        let bad = column_type("mood", None, Some(&vec!["very happy".into()]));
        assert_eq!(bad.scalar, "String");
        let list = column_type("_int4", Some("int4"), None);
        assert!(list.is_list);
        assert_eq!(list.scalar, "Int");
    }

    #[pg_test]
    fn inferred_relationship_names_follow_the_documented_rule() {
        Spi::run(
            "create table people (id int primary key);
             create table pets (id int primary key, owner_id int references people(id),
                                vet int references people(id));",
        )
        .unwrap();
        let composed = crate::schema::cache::get().unwrap();
        let pets = composed.model.tables.iter().find(|t| t.name == "pets").unwrap();
        let people = composed.model.tables.iter().find(|t| t.name == "people").unwrap();
        assert!(pets.fields.contains_key("owner"), "owner_id -> owner");
        assert!(pets.fields.contains_key("people"), "vet (no _id) -> referenced table name");
        assert!(people.fields.contains_key("pets"), "array named after the referencing table");
        assert!(people.fields.contains_key("pets_by_vet"), "second FK from the same table gets _by_<cols>");
        assert!(people.fields.contains_key("pets_aggregate"));
    }

    #[pg_test]
    fn a_failing_statement_leaves_the_transaction_usable() {
        Spi::run("create table ids (id uuid primary key)").unwrap();
        let out = resolve(r#"{ ids(where: {id: {_eq: "zzz"}}) { id } }"#, json!({}));
        assert_eq!(out["errors"][0]["extensions"]["code"], "data-exception");
        assert_eq!(out["errors"][0]["path"], json!(["ids"]));
        // The caller's transaction was not aborted.
        assert_eq!(Spi::get_one::<i64>("select count(*) from ids").unwrap(), Some(0));
    }

    #[pg_test]
    fn one_statement_per_root_field_with_parameters() {
        Spi::run(
            "create table a (id int primary key, name text);
             create table b (id int primary key, a_id int references a(id));",
        )
        .unwrap();
        let composed = crate::schema::cache::get().unwrap();
        let request = crate::query::request::prepare(
            &composed.schema,
            &composed.documents,
            r#"{ a(where: {name: {_eq: "x'); drop table a; --"}}) { id b { id } } }"#,
            (&Value::Null).into(),
            None,
            &|_| false,
        )
        .map_err(|e| format!("{e:?}"))
        .unwrap();
        let vars = request.variables_json();
        let collector = crate::query::normalize::Collector {
            schema: &composed.schema,
            document: &request.document,
            variables: &vars,
        };
        let fields = collector.collect(&request.operation.selection_set, "query_root");
        let root = composed.model.roots["a"];
        let statement = crate::plan::root_statement(&composed.model, &Default::default(), root, &fields[0]).unwrap();
        assert!(!statement.sql.contains("drop table"), "values never reach the SQL text");
        assert_eq!(statement.params, vec![Some("x'); drop table a; --".to_string())]);
        assert!(statement.sql.starts_with("select "));
    }

    /// A document is planned before anything runs; the plan can be inspected without
    /// running it (no statement executed, no request sent).
    #[pg_test]
    fn a_query_is_planned_before_it_runs() {
        use crate::plan::operation::{plan_query, Outbound, QueryPlan, Step};
        Spi::run(
            "create table a (id int primary key, name text);
             create table b (id int primary key, a_id int references a(id));",
        )
        .unwrap();
        crate::metadata::api::handle(&json!({"type": "bulk", "args": [
            {"type": "set_custom_types", "args": {"objects": [{"name": "Thing", "fields": [{"name": "id", "type": "Int!"}]}]}},
            {"type": "create_action", "args": {"name": "getThing", "definition": {"type": "query",
                "handler": "http://127.0.0.1:9/nowhere", "arguments": [{"name": "id", "type": "Int!"}], "output_type": "Thing"}}}
        ]}))
        .unwrap_or_else(|e| e.raise());
        let plan = |query: &str| {
            crate::execute::with_context(query, &Value::Null, None, |context, fields, _| Ok(plan_query(context, fields, query)))
                .map_err(|e| format!("{e:?}"))
                .unwrap()
        };

        // Table fields only: ONE statement for the document, its join edges with it.
        match plan("{ a { id b { id } } b_aggregate { aggregate { count } } }") {
            QueryPlan::Tables(statement) => {
                assert!(statement.sql.starts_with("select json_build_object('a', "), "{}", statement.sql);
                assert!(statement.sql.contains("'b_aggregate'"));
                assert!(statement.joins.is_empty());
            }
            QueryPlan::Fields(_) => panic!("a document of table fields is one statement"),
        }

        // With an action: field by field; the table field's statement and the handler's
        // request are planned, nothing is sent.
        match plan(r#"{ __typename a_by_pk(id: 1) { name } getThing(id: 3) { id } }"#) {
            QueryPlan::Fields(fields) => {
                let kinds: Vec<&str> = fields
                    .steps
                    .iter()
                    .map(|(_, step)| match step {
                        Step::Typename => "typename",
                        Step::Introspection => "introspection",
                        Step::Table { .. } => "table",
                        Step::Outbound => "outbound",
                        Step::Unknown(_) => "unknown",
                    })
                    .collect();
                assert_eq!(kinds, ["typename", "table", "outbound"]);
                let Step::Table { statement: Ok(statement), .. } = &fields.steps[1].1 else { panic!("a planned statement") };
                assert_eq!(statement.params, vec![Some("1".to_string())]);
                assert_eq!(fields.outbound.len(), 1, "one request per action field");
                let (consumer, request) = &fields.outbound[0];
                assert!(matches!(consumer, Outbound::Action(_)));
                assert_eq!(request.url, "http://127.0.0.1:9/nowhere");
                assert_eq!(request.body["input"], json!({"id": 3}));
                assert!(fields.failed.is_empty() && fields.remote_roots.is_empty());
            }
            QueryPlan::Tables(_) => panic!("an action is not a table field"),
        }
    }

    #[pg_test(error = "pg_create_object_relationship: relationship \"r\" on table \"public.t\": column \"nope\" does not exist")]
    fn bad_metadata_raises_naming_object_and_reason() {
        Spi::run("create table t (id int primary key)").unwrap();
        crate::metadata::api::handle(&json!({"type": "pg_create_object_relationship",
            "args": {"table": "t", "name": "r", "using": {"foreign_key_constraint_on": "nope"}}}))
        .unwrap_or_else(|e| e.raise());
    }

    /// The metadata error a body with a NUL character gets (a SQL caller cannot send
    /// one: jsonb refuses \u0000; Rust callers and the fuzzers can).
    fn nul_refusal(body: Value) -> String {
        match crate::metadata::api::handle(&body) {
            Err(e) => e.message,
            Ok(v) => format!("accepted: {v}"),
        }
    }

    #[pg_test]
    fn metadata_refuses_nul_characters_naming_the_field() {
        let tail = "contains the NUL character (\\u0000), which PostgreSQL cannot store";
        assert_eq!(
            nul_refusal(json!({"type": "pg_track_table", "args": {"table": {"schema": "public", "name": "a\0b"}}})),
            format!("pg_track_table: \"args.table.name\" {tail}")
        );
        assert_eq!(
            nul_refusal(json!({"type": "bulk", "args": [{"type": "export_metadata", "args": {}},
                {"type": "add_remote_schema", "args": {"name": "r", "definition": {"headers": [{"name": "x", "value": "\0"}]}}}]})),
            format!("bulk: \"args[1].args.definition.headers[0].value\" {tail}")
        );
        assert_eq!(
            nul_refusal(json!({"type": "pg_create_array_relationship", "args": {"table": "t", "name": "r",
                "using": {"manual_configuration": {"remote_table": "u", "column_mapping": {"i\0d": "x"}}}}})),
            format!("pg_create_array_relationship: \"args.using.manual_configuration.column_mapping.i\\u0000d\" {tail}")
        );
        assert_eq!(nul_refusal(json!({"type": "no\0pe"})), format!("metadata body: \"type\" {tail}"));
        assert_eq!(nul_refusal(json!("\0")), format!("metadata body {tail}"));
    }

    /// The call's variables as `graphql.resolve` receives them: a jsonb datum.
    fn jsonb_arg(value: Value) -> crate::jsonb::JsonbArg {
        let datum = pgrx::JsonB(value).into_datum().unwrap();
        unsafe { <crate::jsonb::JsonbArg as pgrx::FromDatum>::from_datum(datum, false) }.unwrap()
    }

    #[pg_test]
    fn jsonb_read_in_place_is_the_same_tree_as_through_text() {
        let value = json!({"a": [1, -2.50, 1e3, "x \" \\ \u{e9} \u{1f600}", null, true, {"b": {}}], "": [], "long key": {"c": [[]]}});
        assert_eq!(jsonb_arg(value.clone()).to_value().unwrap(), value);
        assert_eq!(jsonb_arg(json!(7)).to_value().unwrap(), json!(7));
        assert_eq!(jsonb_arg(json!("s")).to_value().unwrap(), json!("s"));
        // An Int is what parses as i32 from the number's text.
        let numbers: Value = serde_json::from_str("[1, -2147483648, 2147483648, 1.0, 1e2, 1.5, 0, -0, 12345678901234567890]").unwrap();
        let arg = jsonb_arg(numbers);
        let ints: Vec<bool> = arg
            .root()
            .elements()
            .map(|item| match item {
                crate::jsonb::Item::Number(n) => crate::jsonb::Item::is_i32(n),
                _ => false,
            })
            .collect();
        assert_eq!(ints, [true, true, false, false, true, false, true, true, false]);
    }

    #[pg_test]
    fn insert_rows_are_read_in_place_only_when_they_coerce_unchanged() {
        Spi::run("create table bulk_items (id serial primary key, name text not null, qty int, tags text[], extra jsonb)").unwrap();
        let query = "mutation ($rows: [bulk_items_insert_input!]!) { insert_bulk_items(objects: $rows) { affected_rows } }";
        // The lists read in place (variable: fields), or None when the request failed.
        let in_place = |variables: Value| -> Option<Vec<String>> {
            let arg = jsonb_arg(variables);
            let variables = crate::query::request::Variables::Jsonb(&arg);
            crate::execute::with_context(query, variables, None, |context, _, _| {
                Ok(context.request.bulk.iter().map(|b| format!("{}: {}", b.variable, b.fields.join(","))).collect())
            })
            .ok()
        };
        // jsonb orders keys by length, then bytes: qty before name.
        let same_keys = json!({"rows": [{"name": "a", "qty": 1}, {"qty": null, "name": "b"}], "unused": [1]});
        assert_eq!(in_place(same_keys.clone()), Some(vec!["rows: qty,name".to_string()]));
        assert_eq!(in_place(json!({"rows": [{"name": "a", "extra": {"any": [1]}}]})), Some(vec!["rows: name,extra".to_string()]));
        // Taken the ordinary way: keys that differ, a list column, a single object.
        assert_eq!(in_place(json!({"rows": [{"name": "a"}, {"name": "b", "qty": 2}]})), Some(vec![]));
        assert_eq!(in_place(json!({"rows": [{"name": "a", "tags": ["t"]}]})), Some(vec![]));
        assert_eq!(in_place(json!({"rows": {"name": "a"}})), Some(vec![]));
        // Values coercion refuses are refused as before.
        assert_eq!(in_place(json!({"rows": [{"name": "a", "qty": "1"}]})), None);
        assert_eq!(in_place(json!({"rows": [{"name": 1}]})), None);
        // The rows read in place are the rows written.
        let answer = crate::execute::resolve(query, crate::query::request::Variables::Jsonb(&jsonb_arg(same_keys)), None).into_value();
        assert_eq!(answer, json!({"data": {"insert_bulk_items": {"affected_rows": 2}}}));
        let written = Spi::get_one::<pgrx::JsonB>("select jsonb_agg(jsonb_build_object('name', name, 'qty', qty) order by id) from bulk_items");
        assert_eq!(written.unwrap().unwrap().0, json!([{"name": "a", "qty": 1}, {"name": "b", "qty": null}]));
    }
}
