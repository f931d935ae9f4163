"""Errors of the assistant package."""


class AssistantError(Exception):
    """Base class of the assistant's errors."""


class LLMUnavailable(AssistantError):
    """The configured chat endpoint could not be reached or answered badly."""
