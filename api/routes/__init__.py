"""The HTTP routes, one module per resource: chat, completions (OpenAI), documents, feedback,
health (and metrics), page (the chat page and its static files)."""
