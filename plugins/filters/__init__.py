"""Built-in display filters: intervals, stretches, blur, colormaps."""
