"""Lab backends: kind (a real cluster), local (network namespaces + nftables), predict (nothing runs)."""
