"""The plugin host: one factory builds the pluggy manager from ``imgmarker.hookspecs``
(the one door for built-in and third-party plugins), loads entry points guardedly, and
checks the typed records plugins return.

May import: nothing else from the kernel.
"""

from imgmarker.lazy import exports

__all__, __getattr__, __dir__ = exports(__name__, {
    "host": ["PluginHost", "PluginInfo", "create_plugin_host"],
    "records": ["CatalogReaderSpec", "ConfigSchema", "FilterSpec", "OverlaySpec", "ParamSpec", "ReaderSpec",
                "RecordError", "WriterSpec"],
})
