//! `pgf metadata apply|export|diff` on Hasura's metadata directory (`tests/metadata/`,
//! written as the Hasura CLI writes one), against the test cluster: apply is one
//! replace_metadata that works, export then apply gives the same document, diff names
//! what apply would change, and a broken directory names the file and line and changes
//! nothing.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use serde_json::Value;

use common::{env, fresh_database, psql};

const DB: &str = "pgf_front_metadata";

fn database() {
    static MADE: OnceLock<()> = OnceLock::new();
    MADE.get_or_init(|| {
        fresh_database(DB, r#"
            do $$ begin
              if not exists (select from pg_roles where rolname = 'pgf_front_user') then create role pgf_front_user nologin; end if;
              if not exists (select from pg_roles where rolname = 'pgf_metadata_admin') then create role pgf_metadata_admin login; end if;
            end $$;
            create extension pg_federation;
            -- The directory is applied by a role a DBA allowed to change metadata, not a superuser.
            grant insert, update on graphql.metadata_document to pgf_metadata_admin;
            create table notes (id int primary key, owner int not null, body text not null);
            create table tags (note_id int not null references notes (id), tag text not null, primary key (note_id, tag));
            insert into notes values (1, 1, 'one'), (2, 2, 'two');
            insert into tags values (1, 'a'), (1, 'b'), (2, 'c');
            grant select on notes, tags to pgf_front_user, pgf_metadata_admin;
        "#);
    });
}

fn url() -> String {
    format!("host={} port={} user=pgf_metadata_admin dbname={DB}", env().host, env().port)
}

/// Runs `pgf metadata <verb> --dir <dir>`: (success, what it printed).
fn pgf(verb: &str, dir: &Path) -> (bool, String) {
    database();
    let out = Command::new(env!("CARGO_BIN_EXE_pgf"))
        .args(["metadata", verb, "--database-url", &url(), "--dir"])
        .arg(dir)
        .output()
        .expect("pgf runs");
    let printed = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.success(), printed)
}

fn exported() -> Value {
    let text = psql(DB, r#"select graphql.metadata('{"type": "export_metadata", "args": {}}')"#);
    serde_json::from_str(&text).expect("export_metadata is JSON")
}

fn sample() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/metadata")
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("pgf-metadata-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

fn resolve_as_user(user: &str, query: &str) -> Value {
    let sql = format!(
        "begin; set local role pgf_front_user; set local request.jwt.claims = '{{\"x-hasura-user-id\": \"{user}\"}}'; \
         select graphql.resolve($q${query}$q$); commit;"
    );
    serde_json::from_str(psql(DB, &sql).lines().last().unwrap_or("")).expect("resolve answers JSON")
}

/// One test, in order: the steps share the database's metadata.
#[test]
fn apply_export_diff_and_refusals() {
    // apply: Hasura's directory as the CLI writes it, includes and actions.graphql.
    let (ok, printed) = pgf("apply", &sample());
    assert!(ok, "{printed}");
    assert!(printed.contains("applied"), "{printed}");
    let applied = exported();
    assert_eq!(applied["sources"][0]["tables"].as_array().map(Vec::len), Some(2), "{applied}");
    assert_eq!(applied["actions"][0]["definition"]["output_type"], "Order", "{applied}");
    assert_eq!(applied["actions"][0]["definition"]["type"], "query", "type Query makes a query action");
    assert_eq!(applied["custom_types"]["objects"][0]["description"], "An order as the handler returns it");
    assert_eq!(applied["query_collections"][0]["name"], "allowed-queries", "the rest is kept: {applied}");

    // ... and it works: the select permission's filter, the relationship, the action.
    let answer = resolve_as_user("2", "{ notes { id tags { tag } } }");
    assert_eq!(answer["data"]["notes"].to_string(), r#"[{"id":2,"tags":[{"tag":"c"}]}]"#, "{answer}");
    let answer: Value = serde_json::from_str(&psql(DB, "select graphql.resolve('{ getOrder(id: 7) { id label } }')")).unwrap();
    assert_eq!(answer["data"]["getOrder"]["id"], 7, "{answer}");

    // export writes the layout; apply of the export gives the same document.
    let exported_dir = scratch("export");
    let (ok, printed) = pgf("export", &exported_dir);
    assert!(ok, "{printed}");
    for file in ["version.yaml", "databases/databases.yaml", "databases/default/tables/tables.yaml",
                 "databases/default/tables/public_notes.yaml", "remote_schemas.yaml", "actions.yaml", "actions.graphql",
                 "query_collections.yaml", "allow_list.yaml"] {
        assert!(exported_dir.join(file).is_file(), "export wrote {file}");
    }
    let sdl = std::fs::read_to_string(exported_dir.join("actions.graphql")).unwrap();
    assert!(sdl.contains("getOrder(id: Int!): Order") && sdl.contains("type Mutation"), "{sdl}");
    let (ok, printed) = pgf("apply", &exported_dir);
    assert!(ok, "{printed}");
    assert_eq!(exported(), applied, "export then apply is the same document");

    // diff: nothing after apply; a change in a file is named, and not applied.
    let (ok, printed) = pgf("diff", &exported_dir);
    assert!(ok && printed.contains("no changes"), "{printed}");
    let notes_file = exported_dir.join("databases/default/tables/public_notes.yaml");
    let mut table: serde_yaml::Mapping = serde_yaml::from_str(&std::fs::read_to_string(&notes_file).unwrap()).unwrap();
    assert!(table.remove("select_permissions").is_some(), "the export has the permission");
    std::fs::write(&notes_file, serde_yaml::to_string(&table).unwrap()).unwrap();
    std::fs::write(exported_dir.join("remote_schemas.yaml"), "[]\n").unwrap();
    let (ok, printed) = pgf("diff", &exported_dir);
    assert!(ok, "{printed}");
    assert!(printed.contains("~ table default.public.notes: select_permissions"), "{printed}");
    assert!(printed.contains("- remote schema users_api"), "{printed}");
    assert_eq!(exported(), applied, "diff changes nothing");

    // A broken directory names the file and line; nothing is applied.
    let broken = scratch("broken");
    copy_dir(&sample(), &broken);
    std::fs::write(broken.join("databases/default/tables/tables.yaml"), "- \"!include public_notes.yaml\"\n- \"!include public_gone.yaml\"\n").unwrap();
    let (ok, printed) = pgf("apply", &broken);
    assert!(!ok);
    assert!(printed.contains("tables.yaml:2: !include public_gone.yaml: no such file"), "{printed}");
    std::fs::write(broken.join("databases/default/tables/tables.yaml"), "- \"!include tables.yaml\"\n").unwrap();
    let (ok, printed) = pgf("apply", &broken);
    assert!(!ok);
    assert!(printed.contains("includes itself"), "{printed}");
    std::fs::write(broken.join("databases/default/tables/tables.yaml"), "- \"!include public_notes.yaml\"\n").unwrap();
    std::fs::write(broken.join("remote_schemas.yaml"), "- name: users_api\n  definition: [unclosed\n").unwrap();
    let (ok, printed) = pgf("apply", &broken);
    assert!(!ok);
    assert!(printed.contains("remote_schemas.yaml:") && printed.contains("bad YAML"), "{printed}");
    // A directory the extension refuses (a permission on a column that does not exist).
    std::fs::copy(sample().join("remote_schemas.yaml"), broken.join("remote_schemas.yaml")).unwrap();
    let notes = std::fs::read_to_string(broken.join("databases/default/tables/public_notes.yaml")).unwrap();
    std::fs::write(broken.join("databases/default/tables/public_notes.yaml"), notes.replace("- body", "- nope")).unwrap();
    let (ok, printed) = pgf("apply", &broken);
    assert!(!ok);
    assert!(printed.contains("nothing was changed") && printed.contains("nope"), "{printed}");
    assert_eq!(exported(), applied, "a refused apply changes nothing");

    let _ = std::fs::remove_dir_all(&exported_dir);
    let _ = std::fs::remove_dir_all(&broken);
}
