"""What people see: HTML pages, forms and the HTTP edges of the web functions."""
