"""Who the tests write as (every write needs an actor)."""

from geo.store.actor import Actor

TESTER = Actor("Persona de prueba", "pruebas automáticas")
