"""Machine translation: translators, backends, the model registry, cache and engine."""
