// Rule modules that need more than an expression: risk scoring and impossible travel, and their registry.
