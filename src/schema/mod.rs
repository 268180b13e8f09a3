//! The composed GraphQL schema: relations reflected from pg_catalog (`reflect`),
//! turned into a model of types, fields and relationships (`model`), printed as SDL
//! and validated by apollo-compiler (`sdl`), and cached per backend (`cache`).

pub mod actions;
pub mod cache;
pub mod compose;
pub mod computed;
pub mod filter_op;
pub mod function_call;
pub mod functions;
pub mod hasura_order;
pub mod join_definition;
pub mod join_field;
pub mod join_lhs;
pub mod join_resolve;
pub mod model;
pub mod mutation_sdl;
pub mod names;
pub mod permission;
pub mod reflect;
pub mod remote;
pub mod remote_join;
pub mod remote_permission;
pub mod row_filter;
pub mod scalars;
pub mod sdl;
pub mod table_relationship;
pub mod tracked_function;
pub mod type_shape;
pub mod update_op;
pub mod writes;
