"""Helpers of the Streamlit app: URL state, HTML pieces, exports and one module per view."""
