"""The hand-written OpenAPI 3.1 description of the published-results API."""

from __future__ import annotations

from analysis.models import DomainType, ResultKind, Verdict

_NUMBER_OR_NULL = {"type": ["number", "null"]}


def _result_schema() -> dict:
    return {
        "type": "object",
        "required": ["kind", "domain_type", "domain", "estimate", "n"],
        "properties": {
            "kind": {
                "type": "string",
                "enum": list(ResultKind.values),
                "description": "index and dimension: 0-100; satisfied_rate: 0-1.",
            },
            "dimension": {
                "type": "string",
                "description": (
                    "Dimension code for kind=dimension, driver or alpha, else empty."
                ),
            },
            "domain_type": {"type": "string", "enum": list(DomainType.values)},
            "domain": {
                "type": "string",
                "description": "Code of the sector, region, service point, channel "
                "or roll-up; 'all' for the whole population.",
            },
            "domain_name": {"type": "string", "description": "Chinese name."},
            "domain_name_en": {"type": "string", "description": "English name."},
            "estimate": _NUMBER_OR_NULL,
            "se": {**_NUMBER_OR_NULL, "description": "Design-based standard error."},
            "ci_low": _NUMBER_OR_NULL,
            "ci_high": _NUMBER_OR_NULL,
            "n": {"type": "integer", "description": "Respondents contributing."},
            "deff": {**_NUMBER_OR_NULL, "description": "Design effect."},
            "df": {**_NUMBER_OR_NULL, "description": "Design degrees of freedom."},
            "target": {
                **_NUMBER_OR_NULL,
                "description": "The plan's target, where one applies.",
            },
            "verdict": {
                "type": "string",
                "enum": ["", *Verdict.values],
                "description": "Against the target, allowing for sampling error.",
            },
            "p_value": _NUMBER_OR_NULL,
        },
    }


def _wave_schema() -> dict:
    return {
        "type": "object",
        "required": ["slug", "name", "period_start", "period_end", "url"],
        "properties": {
            "slug": {"type": "string"},
            "name": {"type": "string"},
            "name_en": {"type": "string"},
            "period_start": {"type": "string", "format": "date"},
            "period_end": {"type": "string", "format": "date"},
            "confidence": {"type": "number"},
            "published_at": {"type": ["string", "null"], "format": "date-time"},
            "url": {"type": "string", "format": "uri"},
        },
    }


def _json_response(description: str, schema: dict) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": schema}},
    }


def _error() -> dict:
    return {"$ref": "#/components/schemas/Error"}


def openapi_document(server_url: str) -> dict:
    """The API description, with ``server_url`` (…/api/v1) as its server."""
    slug = {
        "name": "slug",
        "in": "path",
        "required": True,
        "schema": {"type": "string"},
        "description": "The wave's code, e.g. 2026-q4.",
    }
    filters = [
        {
            "name": name,
            "in": "query",
            "required": False,
            "schema": {"type": "string", "enum": values},
        }
        for name, values in (
            ("kind", list(ResultKind.values)),
            ("domain_type", list(DomainType.values)),
        )
    ]
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Jiaxing public-service satisfaction: published results",
            "version": "1.0.0",
            "description": (
                "Satisfaction indexes, satisfied rates and dimension scores of "
                "every survey wave an official has approved, with design-based "
                "confidence intervals and verdicts against the quality plan's "
                "targets. Read-only; results of unapproved waves are never "
                "served."
            ),
            "license": {"name": "Open data"},
        },
        "servers": [{"url": server_url}],
        "paths": {
            "/results/": {
                "get": {
                    "operationId": "listPublishedWaves",
                    "summary": "Published waves, newest first",
                    "responses": {
                        "200": _json_response(
                            "Published waves",
                            {
                                "type": "object",
                                "required": ["waves"],
                                "properties": {
                                    "waves": {
                                        "type": "array",
                                        "items": {"$ref": "#/components/schemas/Wave"},
                                    }
                                },
                            },
                        )
                    },
                }
            },
            "/results/{slug}/": {
                "get": {
                    "operationId": "getWaveResults",
                    "summary": "A published wave's results",
                    "parameters": [slug, *filters],
                    "responses": {
                        "200": _json_response(
                            "The wave and its results",
                            {
                                "type": "object",
                                "required": ["wave", "results"],
                                "properties": {
                                    "wave": {"$ref": "#/components/schemas/Wave"},
                                    "results": {
                                        "type": "array",
                                        "items": {
                                            "$ref": "#/components/schemas/Result"
                                        },
                                    },
                                },
                            },
                        ),
                        "400": _json_response("An unknown filter value", _error()),
                        "404": _json_response("No published wave", _error()),
                    },
                }
            },
        },
        "components": {
            "schemas": {
                "Wave": _wave_schema(),
                "Result": _result_schema(),
                "Error": {
                    "type": "object",
                    "required": ["error", "detail"],
                    "properties": {
                        "error": {"type": "string"},
                        "detail": {"type": "string"},
                    },
                },
            }
        },
    }
