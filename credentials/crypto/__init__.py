"""Cryptography for credentials: Data Integrity proofs (eddsa-rdfc-2022) and Multikey encoding of Ed25519 keys."""
