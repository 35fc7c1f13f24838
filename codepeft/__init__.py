"""codepeft: a fine-tuning study of code LLMs as a Snakemake workflow."""

__version__ = "0.1.0"
