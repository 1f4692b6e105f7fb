from .choices import RegionKind, ServiceClass
from .reference import Region, Sector, ServicePoint

__all__ = ["Region", "RegionKind", "Sector", "ServiceClass", "ServicePoint"]
