"""The deal language: frozen attrs classes a deal file is structured into.

Nothing here simulates; the engine reads these trees and never mutates them.
"""
