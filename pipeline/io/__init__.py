"""All file I/O of the pipeline: JSONL streams, atomic writes, files and folders read."""
