"""The 全域监控 dashboard: static assets served by `qinglang serve` (see scripts/vendor-echarts)."""
