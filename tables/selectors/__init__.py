"""Read-only queries of the tables area for pages owned by other parts of the site, one
module per area."""
