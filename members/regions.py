"""The 17 administrative regions of Québec."""

# (official number, name, slug)
REGIONS = [
    ("01", "Bas-Saint-Laurent", "bas-saint-laurent"),
    ("02", "Saguenay–Lac-Saint-Jean", "saguenay-lac-saint-jean"),
    ("03", "Capitale-Nationale", "capitale-nationale"),
    ("04", "Mauricie", "mauricie"),
    ("05", "Estrie", "estrie"),
    ("06", "Montréal", "montreal"),
    ("07", "Outaouais", "outaouais"),
    ("08", "Abitibi-Témiscamingue", "abitibi-temiscamingue"),
    ("09", "Côte-Nord", "cote-nord"),
    ("10", "Nord-du-Québec", "nord-du-quebec"),
    ("11", "Gaspésie–Îles-de-la-Madeleine", "gaspesie-iles-de-la-madeleine"),
    ("12", "Chaudière-Appalaches", "chaudiere-appalaches"),
    ("13", "Laval", "laval"),
    ("14", "Lanaudière", "lanaudiere"),
    ("15", "Laurentides", "laurentides"),
    ("16", "Montérégie", "monteregie"),
    ("17", "Centre-du-Québec", "centre-du-quebec"),
]


def ensure_regions(region_model=None):
    """Create the regions that are missing (the data migration does it once; tests that
    empty the database call it again). Returns them by code."""
    if region_model is None:
        from .models import Region as region_model
    existing = {region.code: region for region in region_model.objects.all()}
    for code, name, slug in REGIONS:
        if code not in existing:
            existing[code] = region_model.objects.create(code=code, name=name, slug=slug)
    return existing
