"""Consultation rules (议事规则) as versioned data, and the pure maths that applies them."""
