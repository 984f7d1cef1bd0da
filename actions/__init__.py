"""Rasa custom actions for carebot (run by rasa-sdk's action server from the app venv)."""
