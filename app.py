"""Start the interview practice page: `python app.py` (or `make run`).

Serves on 127.0.0.1:7860 by default; host, port, login and sharing come from the settings
(INTERVIEWER_HOST, INTERVIEWER_PORT, INTERVIEWER_AUTH=user:password, INTERVIEWER_SHARE).
"""

from interviewer.config import apply_offline_environment, get_settings

apply_offline_environment()  # before Gradio or Hugging Face libraries are imported

from interviewer.ui import launch  # noqa: E402

if __name__ == "__main__":
    launch(get_settings())
