"""Command groups of the engines, each registered in qinglang/cli.py."""
