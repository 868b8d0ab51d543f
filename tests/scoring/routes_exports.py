"""The export routes for the access matrix (behaviour in tests/scoring/test_export_jobs.py). Exports
need EXPORT_SCORES (office, leading group, system administrator); the audit log also needs
VIEW_AUDIT_LOG, which the leading group lacks. A job is its requester's alone: the other
roles that may export get 404 for the office's jobs."""

from typing import Any

from tests.routes import Route, only

EXPORTERS = ("office", "leader", "sysadmin")


def office_jobs(case: Any) -> dict[str, int]:
    """Two jobs of the office: a finished one (the audit log, written now into a temporary
    export directory) and a failed one."""
    jobs: dict[str, int] | None = getattr(case, "_office_export_jobs", None)
    if jobs is None:
        from scoring.exports.actions import do_request_export, run_export
        from scoring.exports.models import ExportState
        from tests.scoring.test_export_jobs import use_temporary_export_dir

        use_temporary_export_dir(case)
        done = do_request_export(case.campaign, "audit_log", actor=case.office)
        run_export(done.pk)
        failed = do_request_export(case.campaign, "survey", actor=case.office)
        failed.state = ExportState.FAILED
        failed.save()
        jobs = case._office_export_jobs = {"done": done.pk, "failed": failed.pk}
    return jobs


def _year(case: Any) -> list[Any]:
    return [case.campaign.year]


def _kind(kind: str) -> Any:
    return lambda case: [case.campaign.year, kind]


def _job(which: str) -> Any:
    return lambda case: [case.campaign.year, office_jobs(case)[which]]


OWNER_ONLY = {"office": 200, "leader": 404, "sysadmin": 404}

ROUTES: list[Route] = [
    Route("export_list", "get", only(200, *EXPORTERS), args=_year),
    Route("export_request", "post", only(302, *EXPORTERS), args=_kind("shortlist")),
    Route("export_request", "post", only(302, "office", "sysadmin"), args=_kind("audit_log")),
    Route("export_detail", "get", OWNER_ONLY, args=_job("done")),
    Route("export_status", "get", OWNER_ONLY, args=_job("done")),
    Route("export_download", "get", OWNER_ONLY, args=_job("done")),
    Route("export_retry", "post", OWNER_ONLY | {"office": 302}, args=_job("failed")),
]
