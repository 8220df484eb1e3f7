"""`shequ generate --scale district`: the benchmark data set, fast."""

from __future__ import annotations

import json
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from shequ.core.errors import DomainError
from shequ.demo.scale import BENCH_CODE, BENCH_NAME, SCALES, generate


class Command(BaseCommand):
    help = (
        "生成基准测试数据（独立的“基准区”，可与演示区并存）。 "
        "Generate the benchmark data set in a district of its own."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            choices=sorted(SCALES),
            required=True,
            help="small：3个社区、2,000名居民、300件办件、60个议题、120名党员；"
            "district：60个社区、6,000栋楼、500,000名居民、1,000,000件办件、5,000个议题、300,000张选票、"
            "20,000名党员、300个红旗驿站、200,000次入户走访",
        )
        parser.add_argument(
            "--replace",
            action="store_true",
            help="删除已有的基准区后重建 / delete and rebuild the district",
        )
        parser.add_argument(
            "--code",
            default=BENCH_CODE,
            help=f"区划代码（6位）/ district code (default {BENCH_CODE})",
        )
        parser.add_argument("--name", default=BENCH_NAME, help="区名称 / district name")
        parser.add_argument(
            "--json",
            dest="json_path",
            default=None,
            help="把各阶段用时写入该 JSON 文件 / write the timings to this JSON file",
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=None,
            help="加密计算进程数 / processes for the encryption work "
            "(default: 2 for large scales, 0 = in this process)",
        )

    def handle(
        self,
        *args,
        scale: str,
        replace: bool,
        code: str,
        name: str,
        workers: int | None,
        json_path: str | None,
        **options,
    ):
        if len(code) != 6 or not code.isdigit():
            raise CommandError("--code 应为6位数字区划代码 / must be a 6-digit code")
        spec = SCALES[scale]
        self.stdout.write(
            f"生成基准数据 / generating --scale {scale}：{name}（{code}），"
            f"{spec.communities} 个社区、{spec.buildings:,} 栋楼、{spec.residents:,} 名居民"
        )
        started = time.perf_counter()
        try:
            result = generate(
                scale=spec,
                code=code,
                name=name,
                replace=replace,
                workers=workers,
                progress=self.stdout.write,
            )
        except DomainError as error:
            raise CommandError(error.message) from error
        total = time.perf_counter() - started
        if result.skipped:
            self.stdout.write(
                self.style.WARNING(
                    f"{name}（{code}）已存在，未做任何改动；加 --replace 删除后重建。 / "
                    f"district {code} exists, nothing changed; use --replace to rebuild."
                )
            )
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"完成 / done：区划 {result.regions:,}、住户 {result.households:,}、"
                f"居民 {result.residents:,}、标签 {result.tags:,}"
            )
        )
        if result.desk is not None:
            d = result.desk
            self.stdout.write(
                f"服务台 / desk：窗口 {d.windows:,}、社工 {d.workers:,}、办件 {d.cases:,}"
                f"（在办 {d.open_cases:,}）、到访 {d.visits:,}、评价 {d.reviews:,}、"
                f"整改 {d.rectifications:,}、统计行 {d.stats:,}"
            )
            self.stdout.write(
                f"  办件生成 {d.compute_seconds:.1f}s CPU（{result.workers or 1} 个进程合计）、"
                f"写入 {d.write_seconds:.1f}s / cases: compute CPU, write"
            )
        if result.governance is not None:
            g = result.governance
            self.stdout.write(
                f"诉求与吹哨 / appeals + whistles：部门 {g.departments}、驻区单位 {g.units}、"
                f"共建协议 {g.agreements}、诉求 {g.appeals:,}（合并 {g.states.get('merged', 0):,}、"
                f"我也遇到 {g.supporters:,}）、吹哨 {g.whistles:,}（退回 {g.disputes:,}）；"
                f"生成 {g.compute_seconds:.1f}s CPU、写入 {g.write_seconds:.1f}s"
            )
        if result.deliberation is not None:
            v = result.deliberation
            self.stdout.write(
                f"议事协商 / deliberation：协商条目 {v.items}、议题 {v.topics:,}（附议 {v.cosigns:,}）、"
                f"会议 {v.meetings:,}（参会人 {v.invitees:,}、议程 {v.agenda:,}）、选票 {v.ballots:,}、"
                f"协商成果 {v.outcomes:,}（任务 {v.tasks:,}）、住户面积 {v.areas:,}；"
                f"生成 {v.compute_seconds:.1f}s CPU、写入 {v.write_seconds:.1f}s"
            )
            self.stdout.write(
                f"  进行中的业主表决 / open owners' vote：议程 {v.open_vote}，{v.largest[0]}"
                f"（本区最大小区，{v.largest[1]:,} 户，{v.voters:,} 个投票账号）"
            )
        if result.party is not None:
            p = result.party
            orgs = p.orgs
            self.stdout.write(
                f"党建引领 / party：街道党工委 {orgs.get('street_committee', 0)}、"
                f"社区党委 {orgs.get('community_committee', 0)}、小区党支部 {orgs.get('branch', 0)}、"
                f"党小组 {orgs.get('group', 0)}（班子成员 {p.roles:,}、共建组织 {p.bodies:,}）、"
                f"党员 {p.members:,}（预备 {p.standings.get('probationary', 0):,}、"
                f"在职 {p.relations.get('in_service', 0):,}、离退休 {p.relations.get('retired', 0):,}）、"
                f"组织关系接转 {p.transfers:,}"
            )
            self.stdout.write(
                f"  红旗驿站 {p.stations:,}（开放登记 {p.openings:,}、活动 {p.activities:,}、"
                f"月度运行 {p.months:,}，上月充分发挥作用 {p.functioning:,}）、"
                f"楼栋长 {p.heads:,}、单元长 {p.unit_heads:,}、入户走访 {p.visits:,}"
            )
            self.stdout.write(
                f"  双报到：单位报到 {p.unit_reports:,}、党员报到 {p.member_reports:,}、"
                f"需求 {p.needs:,}（认领 {p.claims:,}）、服务登记 {p.services:,}"
                f"（计入共建活动 {p.pairing_actions:,}）、反馈函 {p.letters:,}；"
                f"生成 {p.compute_seconds:.1f}s CPU、写入 {p.write_seconds:.1f}s"
            )
        self.stdout.write("各阶段用时 / time per phase:")
        for label, seconds in result.phases.items():
            self.stdout.write(f"  {seconds:8.1f}s  {label}")
        self.stdout.write(
            f"  {result.compute_seconds:8.1f}s    其中生成与加密 compute: CPU seconds summed over "
            f"{result.workers or 1} process(es)"
        )
        self.stdout.write(f"  {result.write_seconds:8.1f}s    其中写入 write")
        self.stdout.write(f"  {total:8.1f}s  合计 total")
        if json_path:
            report = {
                "scale": scale,
                "database": connection.vendor,
                "district": code,
                "regions": result.regions,
                "households": result.households,
                "residents": result.residents,
                "tags": result.tags,
                "cases": result.desk.cases if result.desk else 0,
                "appeals": result.governance.appeals if result.governance else 0,
                "whistles": result.governance.whistles if result.governance else 0,
                "topics": result.deliberation.topics if result.deliberation else 0,
                "meetings": result.deliberation.meetings if result.deliberation else 0,
                "ballots": result.deliberation.ballots if result.deliberation else 0,
                "party": {
                    "orgs": result.party.orgs,
                    "members": result.party.members,
                    "stations": result.party.stations,
                    "openings": result.party.openings,
                    "activities": result.party.activities,
                    "months": result.party.months,
                    "heads": result.party.heads,
                    "visits": result.party.visits,
                    "member_reports": result.party.member_reports,
                    "services": result.party.services,
                    "compute_cpu_seconds": round(result.party.compute_seconds, 2),
                    "write_seconds": round(result.party.write_seconds, 2),
                }
                if result.party
                else {},
                "open_vote": {
                    "agenda_item": result.deliberation.open_vote,
                    "compound": result.deliberation.largest[0],
                    "households": result.deliberation.largest[1],
                }
                if result.deliberation
                else {},
                "case_rows": {
                    "visits": result.desk.visits,
                    "reviews": result.desk.reviews,
                    "rectifications": result.desk.rectifications,
                    "case_stats": result.desk.stats,
                    "states": result.desk.states,
                    "compute_cpu_seconds": round(result.desk.compute_seconds, 2),
                    "write_seconds": round(result.desk.write_seconds, 2),
                }
                if result.desk
                else {},
                "workers": result.workers,
                "phases_seconds": {k: round(v, 2) for k, v in result.phases.items()},
                "compute_cpu_seconds": round(result.compute_seconds, 2),
                "write_seconds": round(result.write_seconds, 2),
                "total_seconds": round(total, 2),
            }
            Path(json_path).write_text(
                json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
            )
