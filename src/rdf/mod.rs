//! RDF: the vocabulary (IRI constants) and the emitter (knowledge base → quads).

pub mod emit;
pub mod vocab;
