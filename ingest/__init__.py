"""Letter ingestion: loading files, normalising text, parsing letters, chunking and the pipeline."""
