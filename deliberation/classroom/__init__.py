"""Classroom debates: the service (`service.DebateService`) and its parts, from the teacher's controls to the backends."""
