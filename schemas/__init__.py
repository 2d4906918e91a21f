"""Wire schemas: the msgspec Structs that make up the public contract."""
