"""Every front door of reportqa: command line, HTTP API, chat page and Slack bot."""
