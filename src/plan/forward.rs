//! Forwarding a client's selection to a remote schema, faithfully: fields, aliases,
//! arguments, directives, named and inline fragments, `__typename` and variables,
//! with our type names mapped back to the remote's. Join fields (relationships of
//! remote object types) are not the remote's: they are replaced, in their place, by
//! their lhs fields under hidden aliases, the phantom fields `plan::joins` lists.

use apollo_compiler::ast::{Type, Value as AstValue};
use apollo_compiler::executable::{Field, Fragment, Selection, SelectionSet};
use apollo_compiler::{ExecutableDocument, Name, Node};
use std::collections::BTreeSet;

use super::hidden_alias;
use super::presets::Injector;
use crate::schema::cache::Composed;
use crate::schema::remote::TypeRenames;

/// A query document for a remote, built from client fields.
pub struct RemoteDocument<'a> {
    /// The operation's fields, written out, one space between them.
    fields: String,
    generated: Vec<(String, String)>,
    variables: BTreeSet<String>,
    fragments: BTreeSet<String>,
    /// Where the join fields to strip are known.
    composed: Option<&'a Composed>,
    /// `query`, or `mutation` for a remote's mutation fields.
    operation: &'static str,
    /// The role's presets for this remote, if it has any.
    presets: Option<Injector<'a>>,
}

impl<'a> RemoteDocument<'a> {
    pub fn new(composed: Option<&'a Composed>) -> Self {
        RemoteDocument {
            fields: String::new(),
            generated: Vec::new(),
            variables: BTreeSet::new(),
            fragments: BTreeSet::new(),
            composed,
            operation: "query",
            presets: None,
        }
    }

    /// Injects the role's presets for `remote` (remote schema permissions) into what
    /// the document sends.
    pub fn with_presets(mut self, remote: &'a crate::schema::remote::RemoteModel, session: &'a serde_json::Map<String, serde_json::Value>) -> Self {
        self.presets = Injector::for_remote(remote, session);
        self
    }

    /// A generated variable for a preset argument the caller writes itself (a join's
    /// path): its `$name`, or None (no presets, or a missing session variable).
    pub fn preset_argument(&mut self, preset: &crate::schema::remote_permission::Preset) -> Option<String> {
        self.presets.as_mut()?.bind(preset).map(|name| format!("${name}"))
    }

    /// Preset input fields into a value the engine generated (a join's template
    /// argument) of remote type `type_text`.
    pub fn preset_generated_value(&mut self, value: &mut serde_json::Value, type_text: &str) {
        if let Some(presets) = self.presets.as_mut() {
            presets.generated_value(value, type_text);
        }
    }

    /// The session variable a preset needs and the call lacks: the request cannot go.
    pub fn missing_session_variable(&self) -> Option<&str> {
        self.presets.as_ref()?.missing.as_deref()
    }

    /// A `mutation` document instead of a query.
    pub fn mutation(mut self) -> Self {
        self.operation = "mutation";
        self
    }

    /// A client field as the remote must see it: join fields stripped, type and field
    /// names mapped to the remote's.
    fn prepared(&self, field: &Node<Field>, renames: &TypeRenames) -> Node<Field> {
        let mut field = field.clone();
        if let Some(composed) = self.composed.filter(|c| !c.type_joins.is_empty()) {
            strip_set(&mut field.make_mut().selection_set, composed);
        }
        renamed_field(&field, renames)
    }

    /// Adds `field` of our type `parent` (printed with its alias, arguments and selection).
    pub fn add_field(&mut self, document: &ExecutableDocument, field: &Node<Field>, parent: &str, renames: &TypeRenames) {
        let mut field = self.prepared(field, renames);
        rename_field_name(&mut field, parent, renames);
        if let Some(presets) = self.presets.as_mut() {
            let remote_parent = presets.remote_parent(renames.remote(parent)).to_string();
            presets.field(&mut field, &remote_parent);
        }
        self.collect_field(document, &field);
        let field = field.serialize().no_indent().to_string();
        self.add_text(&field);
    }

    /// The selection sets of `fields` (one response key, possibly several AST fields),
    /// printed as one `{ … }`, with the variables and fragments they use recorded.
    /// `first`: a field of ours before the client's (a batched join's key field).
    pub fn selection_text(
        &mut self,
        document: &ExecutableDocument,
        fields: &[Node<Field>],
        renames: &TypeRenames,
        first: Option<String>,
    ) -> String {
        let mut parts: Vec<String> = first.into_iter().collect();
        for field in fields {
            let mut field = self.prepared(field, renames);
            if let Some(presets) = self.presets.as_mut() {
                presets.set(&mut field.make_mut().selection_set);
            }
            self.collect_set(document, &field.selection_set);
            for selection in &field.selection_set.selections {
                parts.push(selection.serialize().no_indent().to_string());
            }
        }
        if parts.is_empty() {
            String::new()
        } else {
            format!(" {{ {} }}", parts.join(" "))
        }
    }

    /// Adds a field text built by the caller (a join's aliased field).
    pub fn add_text(&mut self, text: &str) {
        if !self.fields.is_empty() {
            self.fields.push(' ');
        }
        self.fields.push_str(text);
    }

    /// Declares generated variables (name, remote type) next to the client's.
    pub fn declare(&mut self, name: String, remote_type: String) {
        self.generated.push((name, remote_type));
    }

    fn collect_field(&mut self, document: &ExecutableDocument, field: &Field) {
        for argument in &field.arguments {
            collect_value(&argument.value, &mut self.variables);
        }
        for directive in field.directives.iter() {
            for argument in &directive.arguments {
                collect_value(&argument.value, &mut self.variables);
            }
        }
        self.collect_set(document, &field.selection_set);
    }

    fn collect_set(&mut self, document: &ExecutableDocument, set: &SelectionSet) {
        for selection in &set.selections {
            for directive in selection.directives().iter() {
                for argument in &directive.arguments {
                    collect_value(&argument.value, &mut self.variables);
                }
            }
            match selection {
                Selection::Field(f) => self.collect_field(document, f),
                Selection::InlineFragment(inline) => self.collect_set(document, &inline.selection_set),
                Selection::FragmentSpread(spread) => {
                    if self.fragments.insert(spread.fragment_name.to_string()) {
                        if let Some(fragment) = document.fragments.get(&spread.fragment_name) {
                            self.collect_set(document, &fragment.selection_set);
                        }
                    }
                }
            }
        }
    }

    /// The document text: `query ($v: T, …) { fields } fragment …` (or `mutation`), with the
    /// operation's variable types mapped to the remote's names. Call it before
    /// `client_variables`: the fragments' presets are generated here.
    pub fn text(&mut self, document: &ExecutableDocument, operation_variables: &[(Name, Node<Type>)], renames: &TypeRenames) -> String {
        let mut fragments = Vec::new();
        for name in &self.fragments {
            if let Some(fragment) = document.fragments.get(name.as_str()) {
                let mut fragment = fragment.clone();
                if let Some(composed) = self.composed.filter(|c| !c.type_joins.is_empty()) {
                    strip_set(&mut fragment.make_mut().selection_set, composed);
                }
                let mut fragment = renamed_fragment(&fragment, renames);
                if let Some(presets) = self.presets.as_mut() {
                    presets.set(&mut fragment.make_mut().selection_set);
                }
                fragments.push(fragment.serialize().no_indent().to_string());
            }
        }
        let mut definitions: Vec<String> = operation_variables
            .iter()
            .filter(|(name, _)| self.variables.contains(name.as_str()))
            .map(|(name, ty)| format!("${name}: {}", type_text(ty, renames)))
            .collect();
        definitions.extend(self.generated.iter().map(|(name, ty)| format!("${name}: {ty}")));
        if let Some(presets) = &self.presets {
            definitions.extend(presets.generated.iter().map(|(name, ty, _)| format!("${name}: {ty}")));
        }
        let mut out = String::from(self.operation);
        if !definitions.is_empty() {
            out.push_str(&format!("({})", definitions.join(", ")));
        }
        out.push_str(" { ");
        out.push_str(&self.fields);
        out.push_str(" }");
        for fragment in fragments {
            out.push(' ');
            out.push_str(&fragment);
        }
        out
    }

    /// The values of the client variables the document uses, for the request body,
    /// with the presets' (after `text`).
    pub fn client_variables(&mut self, values: &serde_json::Map<String, serde_json::Value>) -> serde_json::Map<String, serde_json::Value> {
        let mut used: serde_json::Map<String, serde_json::Value> =
            self.variables.iter().filter_map(|name| Some((name.clone(), values.get(name)?.clone()))).collect();
        if let Some(presets) = self.presets.as_mut() {
            presets.variables(&mut used);
            used.extend(presets.generated.iter().map(|(name, _, value)| (name.clone(), value.clone())));
        }
        used
    }
}

/// Replaces the join fields of `set` (and below) with their lhs fields under hidden
/// aliases, in their place, so the answer carries each parent's join key where the
/// join's value goes.
fn strip_set(set: &mut SelectionSet, composed: &Composed) {
    let type_name = set.ty.to_string();
    let joins = composed.type_joins.get(&type_name);
    let selections = std::mem::take(&mut set.selections);
    for mut selection in selections {
        match &mut selection {
            Selection::Field(field) => {
                if let Some(join) = joins.and_then(|list| list.iter().find(|j| j.name() == field.name.as_str())) {
                    let response_key = field.response_key().to_string();
                    for (_, source) in join.lhs() {
                        let alias = hidden_alias(&type_name, &response_key, source);
                        let Ok(definition) = composed.schema.type_field(&type_name, source) else { continue };
                        let (Ok(name), Ok(alias)) = (Name::new(source), Name::new(&alias)) else { continue };
                        // The join field's @skip/@include hold for its key fields too: a
                        // skipped join is planned nowhere, so its key must not come back.
                        let mut key_field = Field::new(name, definition.node.clone()).with_alias(alias);
                        key_field.directives = field.directives.clone();
                        set.push(key_field);
                    }
                    continue;
                }
                strip_set(&mut field.make_mut().selection_set, composed);
            }
            Selection::InlineFragment(inline) => strip_set(&mut inline.make_mut().selection_set, composed),
            Selection::FragmentSpread(_) => {}
        }
        set.selections.push(selection);
    }
}

fn collect_value(value: &AstValue, out: &mut BTreeSet<String>) {
    match value {
        AstValue::Variable(name) => {
            out.insert(name.to_string());
        }
        AstValue::List(items) => items.iter().for_each(|v| collect_value(v, out)),
        AstValue::Object(fields) => fields.iter().for_each(|(_, v)| collect_value(v, out)),
        _ => {}
    }
}

fn type_text(ty: &Type, renames: &TypeRenames) -> String {
    match ty {
        Type::Named(n) => renames.remote(n.as_str()).to_string(),
        Type::NonNullNamed(n) => format!("{}!", renames.remote(n.as_str())),
        Type::List(inner) => format!("[{}]", type_text(inner, renames)),
        Type::NonNullList(inner) => format!("[{}]!", type_text(inner, renames)),
    }
}

fn rename_name(name: &Name, renames: &TypeRenames) -> Name {
    let remote = renames.remote(name.as_str());
    if remote == name.as_str() {
        return name.clone();
    }
    Name::new(remote).unwrap_or_else(|_| name.clone())
}

/// A field that `customization.field_names` renamed gets the remote's name, and our
/// name as its alias, so that the answer's key is what the client asked for.
fn rename_field_name(field: &mut Node<Field>, parent: &str, renames: &TypeRenames) {
    let Some(remote) = renames.remote_field(parent, field.name.as_str()) else { return };
    let Ok(remote) = Name::new(remote) else { return };
    let field = field.make_mut();
    if field.alias.is_none() {
        field.alias = Some(field.name.clone());
    }
    field.name = remote;
}

fn rename_set(set: &mut SelectionSet, renames: &TypeRenames) {
    let ours = set.ty.clone();
    set.ty = rename_name(&set.ty, renames);
    for selection in set.selections.iter_mut() {
        match selection {
            Selection::Field(field) => {
                rename_field_name(field, ours.as_str(), renames);
                rename_set(&mut field.make_mut().selection_set, renames)
            }
            Selection::InlineFragment(inline) => {
                let inline = inline.make_mut();
                if let Some(condition) = &inline.type_condition {
                    inline.type_condition = Some(rename_name(condition, renames));
                }
                rename_set(&mut inline.selection_set, renames);
            }
            Selection::FragmentSpread(_) => {}
        }
    }
}

fn renamed_field(field: &Node<Field>, renames: &TypeRenames) -> Node<Field> {
    if renames.is_identity() {
        return field.clone();
    }
    let mut field = field.clone();
    rename_set(&mut field.make_mut().selection_set, renames);
    field
}

fn renamed_fragment(fragment: &Node<Fragment>, renames: &TypeRenames) -> Node<Fragment> {
    if renames.is_identity() {
        return fragment.clone();
    }
    let mut fragment = fragment.clone();
    rename_set(&mut fragment.make_mut().selection_set, renames);
    fragment
}
