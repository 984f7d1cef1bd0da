"""The local LLM: the model wrapper and the answer-job worker on Redis Streams."""
