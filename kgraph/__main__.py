from kgraph.cli import cli

cli()
