"""The configuration language: YAML in, problems with FILE:LINE:COL, compact JSON out.

    from ringroute.configlang import compile_config, check_config, ConfigError
    cfg = compile_config("office.yaml")          # raises ConfigError listing every problem
    cfg, problems = check_config("office.yaml")  # cfg is None when there are errors

The format is documented in docs/config.md; firmware/cfgcheck.py re-checks
the compiled form on the board.
"""
from .compile import SCHEMA_VERSION, check_config, compile_config, to_json
from .problems import ConfigError, Problem

__all__ = ["check_config", "compile_config", "to_json", "ConfigError", "Problem", "SCHEMA_VERSION"]
