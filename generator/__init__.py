"""A static site generator for a catalogue of research papers.

Data flows one way: captures -> papers -> Markdown pages -> catalogue ->
rendered pages + search index -> site/.
"""

__version__ = "0.1.0"
