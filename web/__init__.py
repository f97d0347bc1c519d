"""The HTTP edge around the Streamlit app: our own routes (web/routes.py), the security headers
every response carries (web/security.py), the session cookie routes (web/session_routes.py) and the last-resort error
message of a script run (web/errors.py).
No page logic here: server.py hands these to `st.App`."""
