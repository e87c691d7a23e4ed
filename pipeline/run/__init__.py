"""Orchestration: the stage contract, the manifest, the runner and the config file."""
