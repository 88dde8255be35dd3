"""The publication service: the public read model of published applications, the public APIs and the change feed."""
