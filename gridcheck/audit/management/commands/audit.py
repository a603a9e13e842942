"""``gridcheck audit``: the marketing audit from the command line.

- ``gridcheck audit sync``: the rule table in step with the code (also done after every migration).
- ``gridcheck audit rules``: the library (code, module, theme, title, enabled, thresholds in force).
- ``gridcheck audit run --month 2026-10 [--area CODE] [--theme T] [--module M] [--rule CODE ...]``: run
  in the foreground and print each rule's hits and seconds.
- ``gridcheck audit inject --month 2026-10 [--seed N] [--count 20]``: inject the known anomalies into the
  demo county and write the truth file.
- ``gridcheck audit evaluate [--run ID] [--truth PATH]``: recall and precision of every rule against the
  truth file (by default the latest successful county run of every rule).
"""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from gridcheck.archive.models import Area
from gridcheck.audit import evaluation, services
from gridcheck.audit.models import AuditRun
from gridcheck.core.periods import month_parse
from gridcheck.core.runs import RunStatus


class Command(BaseCommand):
    help = "Marketing audit: sync the rule table, list rules, run them, inject the demo truth, evaluate."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("sync", help="keep the rule table in step with the code")
        sub.add_parser("rules", help="list the rule library")
        run = sub.add_parser("run", help="run the rules for a month in the foreground")
        run.add_argument("--month", required=True, help="YYYY-MM")
        run.add_argument("--area", help="area code: a themed audit of one area")
        run.add_argument("--theme", default="", help="energy, price, fees or loss")
        run.add_argument("--module", default="", help="metering, inspection, tariff or business")
        run.add_argument("--rule", action="append", default=[], help="a rule code (repeatable)")
        inject = sub.add_parser("inject", help="inject the known anomalies into the demo county")
        inject.add_argument("--month", required=True, help="YYYY-MM: the audited month")
        inject.add_argument("--seed", type=int, default=20261203)
        inject.add_argument("--count", type=int, default=evaluation.INJECTED_PER_RULE)
        inject.add_argument("--truth", default=None, help="where the truth file goes")
        evaluate = sub.add_parser("evaluate", help="recall and precision per rule against the truth file")
        evaluate.add_argument("--run", type=int, default=None, help="an audit run id (default: the latest)")
        evaluate.add_argument("--truth", default=None, help="the truth file")

    def handle(self, *args, action, **options):
        return getattr(self, f"_{action}")(**options)

    # ------------------------------------------------------------------------------------------ actions
    def _sync(self, **options):
        created = services.rules_sync()
        self.stdout.write(f"规则库已同步：新增 {created} 条规则。")

    def _rules(self, **options):
        from gridcheck.audit.models import AuditRule

        services.rules_sync()
        today = timezone.localdate()
        for rule in AuditRule.objects.filter(retired=False).order_by("code"):
            version = services.rule_version_on(rule, today)
            state = "启用" if version and version.enabled else "停用"
            params = "，".join(
                f"{spec['label']} {version.params.get(name, spec['default'])}{spec['unit']}"
                for name, spec in rule.param_spec.items()
            )
            self.stdout.write(
                f"{rule.code}\t{rule.get_module_display()}\t{rule.get_theme_display()}\t{state}\t{rule.title}"
                + (f"\t{params}" if params else "")
            )

    def _run(self, *, month, area, theme, module, rule, **options):
        area_obj = None
        if area:
            area_obj = Area.objects.filter(code=area).first()
            if area_obj is None:
                raise CommandError(f"没有台区编号 {area}")
        try:
            run = services.audit_run_start(
                month=month_parse(month),
                area=area_obj,
                theme=theme,
                module=module,
                rule_codes=rule,
                enqueue=False,
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        run = services.audit_run_execute(run, heartbeat=True)
        self._print_run(run)
        if run.status != RunStatus.SUCCEEDED:
            raise CommandError(run.error.splitlines()[0] if run.error else "稽查运行失败")

    def _print_run(self, run: AuditRun) -> None:
        self.stdout.write(f"稽查运行 #{run.pk}（{run.month:%Y-%m}）：{run.get_status_display()}")
        for result in run.results.select_related("rule").order_by("rule__code"):
            line = (
                f"  {result.rule.code}\t{result.rule.title}\t命中 {result.hits}\t新增 {result.new_findings}"
                f"\t再次发现 {result.updated_findings}\t{result.duration_s:.2f} 秒"
            )
            if result.error:
                line += f"\t出错：{result.error.splitlines()[0]}"
            self.stdout.write(line)
        counts = run.counts or {}
        self.stdout.write(
            f"共 {counts.get('rules', 0)} 条规则运行，{counts.get('failed', 0)} 条出错，"
            f"{counts.get('skipped', 0)} 条停用；命中 {counts.get('hits', 0)}，新增问题 {counts.get('new', 0)}。"
        )

    def _inject(self, *, month, seed, count, truth, **options):
        month = month_parse(month)
        rows = evaluation.anomalies_inject(month=month, on=timezone.localdate(), seed=seed, count=count)
        path = evaluation.truth_write(rows, Path(truth) if truth else evaluation.truth_path_default())
        self.stdout.write(
            f"已注入 {len(rows)} 个已知稽查异常（{len({r for r, _ in rows})} 条规则），真值文件：{path}"
        )

    def _evaluate(self, *, run, truth, **options):
        path = Path(truth) if truth else evaluation.truth_path_default()
        if not path.exists():
            raise CommandError(f"没有真值文件 {path}：先运行 gridcheck audit inject")
        try:
            rows = evaluation.truth_read(path)
        except ValueError as error:
            raise CommandError(str(error)) from None
        runs = AuditRun.objects.filter(status=RunStatus.SUCCEEDED, area__isnull=True)
        audit_run = runs.filter(pk=run).first() if run else runs.order_by("-finished_at").first()
        if audit_run is None:
            raise CommandError("没有成功完成的全县稽查运行")
        self.stdout.write(f"对照真值文件 {path} 评估稽查运行 #{audit_run.pk}（{audit_run.month:%Y-%m}）")
        self.stdout.write("规则\t注入\t命中\t命中注入\t召回率\t精确率\t名称")
        for score in evaluation.run_evaluate(audit_run, rows):
            recall = "—" if score.recall is None else f"{score.recall:.2f}"
            precision = "—" if score.precision is None else f"{score.precision:.2f}"
            self.stdout.write(
                f"{score.rule}\t{score.injected}\t{score.hits}\t{score.found_injected}\t{recall}\t{precision}"
                f"\t{score.title}"
            )
