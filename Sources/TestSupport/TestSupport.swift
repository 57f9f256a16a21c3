@_exported import RebuyCore
