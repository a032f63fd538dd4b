"""newskg: news reports to an RDF knowledge graph of attributed claims.

The library is usable without the CLI; every ``kg`` command is a thin call of the
function of the same name (see ``kg.cli``). Heavy dependencies (spaCy) are imported
only by the extraction stage, so querying a store stays fast.
"""

__version__ = "0.1.0"
