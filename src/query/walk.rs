//! One walk over a selection set, shared by field collection (`normalize`), the search
//! for joins under remote objects (`execute::joins::nested`) and the mapping of
//! `__typename` answers (`execute::typenames`): named and inline fragments are inlined
//! where their type condition applies, the caller's filter (`@skip`/`@include`) is
//! applied, and fragment nesting is bounded in one place.

use apollo_compiler::executable::{Field, Selection, SelectionSet};
use apollo_compiler::{ExecutableDocument, Node};
use std::collections::HashSet;

/// Deepest nesting of selection sets a walk follows (fragments inside fragments, or a
/// caller's fields inside fields). Validation rejects fragment cycles and bounds depth;
/// this is the second line of defence, and keeps the backend's stack safe.
pub const MAX_NESTING: usize = 64;

/// How a walk treats what it meets.
pub struct Rules<'r, 'd> {
    /// Whether a selection counts (its directives: `@skip`, `@include`).
    pub keep: &'r dyn Fn(&Selection) -> bool,
    /// Whether a fragment with this type condition applies.
    pub applies: &'r dyn Fn(&str) -> bool,
    /// CollectFields' visited fragments: when given, a named fragment is inlined once.
    pub visited: Option<&'r mut HashSet<&'d str>>,
}

/// Calls `visit(set, field)` for each field of `set` and of the fragments inlined in it,
/// in document order; `set` is the selection set the field sits in (its type is the
/// field's parent type).
pub fn fields<'d>(
    document: &'d ExecutableDocument,
    set: &'d SelectionSet,
    rules: &mut Rules<'_, 'd>,
    visit: &mut dyn FnMut(&'d SelectionSet, &'d Node<Field>),
) {
    walk(document, set, rules, visit, 0)
}

fn walk<'d>(
    document: &'d ExecutableDocument,
    set: &'d SelectionSet,
    rules: &mut Rules<'_, 'd>,
    visit: &mut dyn FnMut(&'d SelectionSet, &'d Node<Field>),
    nesting: usize,
) {
    if nesting > MAX_NESTING {
        return;
    }
    for selection in &set.selections {
        if !(rules.keep)(selection) {
            continue;
        }
        match selection {
            Selection::Field(field) => visit(set, field),
            Selection::FragmentSpread(spread) => {
                if let Some(visited) = rules.visited.as_deref_mut() {
                    // CollectFields' visitedFragments: a fragment is expanded once per
                    // selection set, however often it is spread there.
                    if !visited.insert(spread.fragment_name.as_str()) {
                        continue;
                    }
                }
                if let Some(fragment) = document.fragments.get(&spread.fragment_name) {
                    if (rules.applies)(fragment.type_condition().as_str()) {
                        walk(document, &fragment.selection_set, rules, visit, nesting + 1);
                    }
                }
            }
            Selection::InlineFragment(inline) => {
                if inline.type_condition.as_ref().is_none_or(|c| (rules.applies)(c.as_str())) {
                    walk(document, &inline.selection_set, rules, visit, nesting + 1);
                }
            }
        }
    }
}
