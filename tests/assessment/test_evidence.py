"""Evidence files (佐证材料): accepted by content only, stored once per submission, linked to
several items, served only to those who may read the submission, and nothing is left behind
by a refused upload."""

import hashlib
import shutil
import struct
import tempfile
import zipfile
from io import BytesIO
from pathlib import Path
from typing import Any
from urllib.parse import quote

from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.http import HttpResponse
from django.test import override_settings
from django.urls import reverse
from openpyxl import Workbook
from PIL import Image

from campaign.assessment.evidence_actions import do_upload_evidence
from campaign.demo.samples import pdf_bytes
from campaign.kernel.models import AuditEvent
from campaign.pipeline import files
from campaign.pipeline.models import (
    CampaignPhase,
    EvidenceFile,
    ItemAssessment,
    Phase,
    Status,
    Submission,
)
from standards.models import Item
from tests.base import CampaignTestCase

# -- real small files, built here ----------------------------------------------------------


def png_bytes(size: tuple[int, int] = (640, 480), color: str = "red") -> bytes:
    out = BytesIO()
    Image.new("RGB", size, color).save(out, "PNG")
    return out.getvalue()


def jpeg_bytes(size: tuple[int, int] = (800, 600), color: str = "blue") -> bytes:
    out = BytesIO()
    Image.new("RGB", size, color).save(out, "JPEG", quality=85)
    return out.getvalue()


def docx_bytes(extra_parts: dict[str, bytes] | None = None) -> bytes:
    out = BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/word/document.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
        )
        archive.writestr(
            "_rels/.rels",
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            'relationships/officeDocument" Target="word/document.xml"/></Relationships>',
        )
        archive.writestr(
            "word/document.xml",
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            "<w:body><w:p><w:r><w:t>Community compact</w:t></w:r></w:p></w:body></w:document>",
        )
        for name, data in (extra_parts or {}).items():
            archive.writestr(name, data)
    return out.getvalue()


def xlsx_bytes() -> bytes:
    workbook = Workbook()
    sheet = workbook.worksheets[0]
    sheet.append(["household", "answer"])
    sheet.append([1, "satisfied"])
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()


def ole2_bytes(stream_name: str, payload: bytes = b"\x00" * 4096) -> bytes:
    """A compound file (MS-CFB, version 3) holding one stream at the top level, as legacy
    Word (WordDocument) and Excel (Workbook) files do."""
    sector = 512
    end, free, fat_sector, no_stream = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFF
    data_sectors = -(-len(payload) // sector)
    header = bytearray(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(16))
    header += struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + bytes(6)
    header += struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, end, 0, end, 0)
    header += struct.pack("<109I", 0, *([free] * 108))
    fat = [fat_sector, end] + [2 + i + 1 for i in range(data_sectors - 1)] + [end]
    fat_bytes = struct.pack(f"<{len(fat)}I", *fat) + b"\xff" * (sector - 4 * len(fat))

    def entry(name: str, kind: int, child: int, start: int, size: int) -> bytes:
        encoded = (name + "\x00").encode("utf-16-le") if name else b""
        return (
            encoded.ljust(64, b"\x00")
            + struct.pack("<HBB", len(encoded), kind, 1)
            + struct.pack("<III", no_stream, no_stream, child)
            + bytes(16 + 4 + 16)
            + struct.pack("<IQ", start, size)
        )

    directory = (
        entry("Root Entry", 5, 1, end, 0)
        + entry(stream_name, 2, no_stream, 2, len(payload))
        + entry("", 0, no_stream, 0, 0) * 2
    )
    body = payload.ljust(data_sectors * sector, b"\x00")
    return bytes(header) + fat_bytes + directory + body


def upload_file(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


# -- a private evidence directory per test -------------------------------------------------


def use_temporary_evidence_dir(case: Any) -> Path:
    """Point EVIDENCE_DIR at a fresh temporary directory until the test ends."""
    existing = getattr(case, "_evidence_dir", None)
    if existing is not None:
        return Path(existing)
    directory = Path(tempfile.mkdtemp(prefix="evidence-test-"))
    override = override_settings(EVIDENCE_DIR=directory)
    override.enable()
    case.addCleanup(override.disable)
    case.addCleanup(shutil.rmtree, directory, True)
    case._evidence_dir = directory
    return directory


def evidence_route_args(case: Any, route: str) -> list[Any]:
    """For the access matrix: 东北村社区's draft with a PNG linked to item 1.1 (stored in a
    temporary directory for the rest of the test)."""
    stored = getattr(case, "_route_evidence", None)
    if stored is None:
        use_temporary_evidence_dir(case)
        item = Item.objects.get(standard=case.standard, code="1.1")
        outcome = do_upload_evidence(
            case.campaign.pk,
            case.dongbei.pk,
            item.pk,
            [upload_file("photo.png", png_bytes())],
            actor=case.staff,
        )
        stored = case._route_evidence = outcome.stored[0]
    own = [case.campaign.year, case.dongbei.code, "1.1"]
    return {
        "evidence_upload": own,
        "evidence_unlink": [*own, stored.pk],
        "evidence_file": [stored.pk],
        "evidence_thumbnail": [stored.pk],
    }[route]


class EvidenceTestCase(CampaignTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.root = use_temporary_evidence_dir(self)
        self.login(self.staff)

    # helpers

    def item(self, code: str) -> Item:
        return Item.objects.get(standard=self.standard, code=code)

    def upload(
        self,
        *files: tuple[str, bytes],
        item: str = "1.1",
        existing: list[int] | None = None,
        community: str | None = None,
    ) -> HttpResponse:
        url = reverse("evidence_upload", args=[2020, community or self.dongbei.code, item])
        data: dict[str, Any] = {"files": [upload_file(name, data) for name, data in files]}
        if existing:
            data["existing"] = [str(pk) for pk in existing]
        response = self.post(url, data)
        self.assertEqual(response.status_code, 302, response.content[:300])
        self.assertEqual(
            response["Location"],
            reverse("assessment_detail", args=[2020, community or self.dongbei.code])
            + f"#item-{item}",
        )
        return response

    def post(self, url: str, data: dict[str, Any] | None = None) -> HttpResponse:
        """POST, keeping the messages this request added and dropping them from the cookie,
        as the page that shows them would."""
        response: Any = self.client.post(url, data or {})
        response.texts = [str(m) for m in get_messages(response.wsgi_request)]
        self.client.cookies.pop("messages", None)
        return response

    def messages_of(self, response: HttpResponse) -> list[str]:
        texts: list[str] = getattr(response, "texts", [])
        return texts

    def files_on_disk(self) -> list[Path]:
        return sorted(self.root.rglob("*"))

    def linked_codes(self, stored: EvidenceFile) -> list[str]:
        return sorted(a.item.code for a in stored.assessments.select_related("item"))

    def assert_nothing_left(self) -> None:
        self.assertFalse(Submission.objects.filter(community=self.dongbei).exists())
        self.assertFalse(ItemAssessment.objects.exists())
        self.assertFalse(EvidenceFile.objects.exists())
        self.assertFalse(AuditEvent.objects.filter(action__startswith="evidence.").exists())
        self.assertEqual(self.files_on_disk(), [])

    def assert_refused(self, response: HttpResponse, *fragments: str, item: str = "1.1") -> None:
        texts = self.messages_of(response)
        self.assertEqual(len(texts), 1, texts)
        self.assertTrue(texts[0].startswith(f"{item} "), texts[0])
        for fragment in fragments:
            self.assertIn(fragment, texts[0])


class AcceptedTypesTests(EvidenceTestCase):
    def test_each_accepted_type_is_stored_as_the_type_its_content_has(self) -> None:
        cases = [
            ("党建工作总结.pdf", pdf_bytes(), "pdf"),
            ("活动照片.jpg", jpeg_bytes(), "jpg"),
            # The name says JPEG, the content is PNG: the content wins.
            ("扫描件.jpg", png_bytes(), "png"),
            ("居民公约.doc", ole2_bytes("WordDocument"), "doc"),
            ("居民公约（修订）.docx", docx_bytes(), "docx"),
            ("台账.xls", ole2_bytes("Workbook"), "xls"),
            ("满意度台账.xlsx", xlsx_bytes(), "xlsx"),
            ("no-extension", pdf_bytes("second"), "pdf"),
        ]
        for name, data, kind in cases:
            with self.subTest(name=name):
                response = self.upload((name, data))
                self.assertIn("已上传1个文件", self.messages_of(response)[0])
                stored = EvidenceFile.objects.get(original_name=name)
                self.assertEqual(stored.kind, kind)
                self.assertEqual(stored.size, len(data))
                self.assertEqual(stored.sha256, hashlib.sha256(data).hexdigest())
                self.assertEqual(stored.uploaded_by, self.staff)
                self.assertEqual((self.root / stored.stored_name).read_bytes(), data)
                self.assertEqual(self.linked_codes(stored), ["1.1"])
        submission = Submission.objects.get(community=self.dongbei)
        self.assertEqual(submission.status, Status.DRAFT)
        self.assertEqual(submission.evidence_files.count(), len(cases))

    def test_several_files_in_one_upload(self) -> None:
        response = self.upload(("a.pdf", pdf_bytes("a")), ("b.png", png_bytes()))
        self.assertIn("已上传2个文件", self.messages_of(response)[0])
        self.assertEqual(EvidenceFile.objects.count(), 2)
        event = AuditEvent.objects.get(action="evidence.upload")
        self.assertEqual(event.details["item"], "1.1")
        self.assertEqual(
            [(f["name"], f["sha256"]) for f in event.details["stored"]],
            [
                ("a.pdf", hashlib.sha256(pdf_bytes("a")).hexdigest()),
                ("b.png", hashlib.sha256(png_bytes()).hexdigest()),
            ],
        )
        self.assertEqual(event.district_id, self.huancui.pk)
        self.assertEqual(event.actor, self.staff)

    def test_files_are_kept_in_the_private_directory_not_under_a_url(self) -> None:
        self.upload(("a.pdf", pdf_bytes()))
        stored = EvidenceFile.objects.get()
        path = (self.root / stored.stored_name).resolve()
        self.assertTrue(path.is_file())
        self.assertTrue(path.is_relative_to(self.root.resolve()))
        self.assertNotIn("static", stored.stored_name)

    def test_the_file_name_loses_folders_and_control_characters(self) -> None:
        self.assertEqual(files.clean_name("C:\\Users\\王\\照片\x07.png"), "照片.png")
        self.assertEqual(files.clean_name("../../etc/passwd"), "passwd")
        self.assertEqual(files.clean_name("   "), "未命名文件")
        long = "长" * 300 + ".pdf"
        self.assertEqual(len(files.clean_name(long)), files.MAX_NAME_LENGTH)
        self.assertTrue(files.clean_name(long).endswith(".pdf"))


class RefusedUploadTests(EvidenceTestCase):
    def test_renamed_executable_is_refused(self) -> None:
        program = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200 + b"This program cannot be run"
        response = self.upload(("整改报告.pdf", program))
        self.assert_refused(response, "整改报告.pdf", "可执行程序")
        self.assert_nothing_left()

    def test_disallowed_types_are_refused(self) -> None:
        cases = [
            ("readme.pdf", b"plain text pretending to be a PDF"),
            ("slides.doc", ole2_bytes("PowerPoint Document")),
            ("archive.docx", _zip({"notes.txt": b"hello"})),
            ("picture.png", b"GIF89a" + b"\x00" * 100),
        ]
        for name, data in cases:
            with self.subTest(name=name):
                response = self.upload((name, data))
                self.assert_refused(response, name, "不是可接受的文件类型")
                self.assert_nothing_left()

    def test_macro_documents_and_password_protected_files_are_refused(self) -> None:
        response = self.upload(("宏.docx", docx_bytes({"word/vbaProject.bin": b"\x00" * 64})))
        self.assert_refused(response, "宏.docx", "含有宏")
        response = self.upload(("加密.xlsx", ole2_bytes("EncryptedPackage")))
        self.assert_refused(response, "加密.xlsx", "密码")
        self.assert_nothing_left()

    def test_oversized_file_is_refused(self) -> None:
        data = pdf_bytes("x" * 3000)
        with override_settings(EVIDENCE_MAX_FILE_BYTES=2048):
            response = self.upload(("大文件.pdf", data))
        self.assert_refused(response, "大文件.pdf", "过大")
        self.assert_nothing_left()

    def test_the_survey_items_take_no_evidence(self) -> None:
        """6.1 and 6.2 are scored by the survey: evidence for them had made a self-assessment
        row the community never scores."""
        response = self.upload(("满意度.pdf", pdf_bytes()), item="6.1")
        self.assert_refused(response, "由满意度调查计分", item="6.1")
        self.assert_nothing_left()

    def test_empty_file_is_refused(self) -> None:
        self.assert_refused(self.upload(("空.pdf", b"")), "空.pdf", "空文件")
        self.assert_nothing_left()

    def test_corrupt_xlsx_is_refused(self) -> None:
        whole = xlsx_bytes()
        for name, data in [
            ("截断.xlsx", whole[: len(whole) // 2]),
            ("篡改.xlsx", _flip_inside_a_part(whole, "xl/workbook.xml")),
        ]:
            with self.subTest(name=name):
                self.assert_refused(self.upload((name, data)), name, "已损坏")
                self.assert_nothing_left()

    def test_corrupt_images_are_refused(self) -> None:
        png, jpeg = png_bytes(), jpeg_bytes()
        for name, data in [
            ("截断.png", png[: len(png) // 2]),
            ("乱码.png", png[:16] + b"\x00garbage" * 40),
            ("截断.jpg", jpeg[: len(jpeg) // 2]),
        ]:
            with self.subTest(name=name):
                self.assert_refused(self.upload((name, data)), name, "图片已损坏")
                self.assert_nothing_left()

    def test_a_picture_too_large_to_decode_safely_is_refused(self) -> None:
        # 144 megapixels packed into a few kilobytes.
        out = BytesIO()
        Image.new("1", (12000, 12000)).save(out, "PNG")
        response = self.upload(("航拍.png", out.getvalue()))
        self.assert_refused(response, "航拍.png", "像素过多")
        self.assert_nothing_left()

    def test_one_bad_file_refuses_the_whole_batch_and_names_it(self) -> None:
        response = self.upload(
            ("好的.pdf", pdf_bytes()),
            ("照片.png", png_bytes()),
            ("病毒.pdf", b"MZ" + b"\x00" * 64),
        )
        self.assert_refused(response, "病毒.pdf", "本次选择的3个文件均未上传")
        self.assert_nothing_left()

    def test_submission_total_is_limited(self) -> None:
        first, second = pdf_bytes("a" * 600), pdf_bytes("b" * 600)
        with override_settings(EVIDENCE_MAX_SUBMISSION_BYTES=len(first) + len(second) - 1):
            self.upload(("第一份.pdf", first))
            before = self.files_on_disk()
            audit_rows = AuditEvent.objects.count()
            response = self.upload(("第二份.pdf", second), item="1.2")
        self.assert_refused(response, "总量不能超过", item="1.2")
        self.assertEqual(
            list(EvidenceFile.objects.values_list("original_name", flat=True)), ["第一份.pdf"]
        )
        self.assertFalse(ItemAssessment.objects.filter(item__code="1.2").exists())
        self.assertEqual(self.files_on_disk(), before)
        self.assertEqual(AuditEvent.objects.count(), audit_rows)

    def test_a_duplicate_does_not_count_against_the_total(self) -> None:
        data = pdf_bytes("a" * 600)
        with override_settings(EVIDENCE_MAX_SUBMISSION_BYTES=len(data)):
            self.upload(("一.pdf", data))
            self.upload(("二.pdf", data), item="1.2")
        self.assertEqual(EvidenceFile.objects.count(), 1)

    def test_written_files_are_removed_when_the_transaction_fails(self) -> None:
        candidates = files.inspect_uploads([upload_file("a.png", png_bytes())])
        submission = Submission.objects.create(
            campaign=self.campaign, community=self.dongbei, district=self.huancui
        )
        with (
            self.assertRaises(RuntimeError),
            files.StoredFiles() as written,
            transaction.atomic(),
        ):
            names = written.store(submission, candidates[0])
            self.assertTrue((self.root / names[0]).is_file())
            self.assertTrue((self.root / names[1]).is_file())
            raise RuntimeError("the database refused")
        self.assertEqual(self.files_on_disk(), [])


class DuplicateAndLinkTests(EvidenceTestCase):
    def test_the_same_file_for_two_items_is_stored_once_and_linked_twice(self) -> None:
        photo = jpeg_bytes()
        self.upload(("议事会现场.jpg", photo), item="1.1")
        response = self.upload(("IMG_0001.jpg", photo), item="2.2")
        texts = self.messages_of(response)
        self.assertEqual(len(texts), 1, texts)
        self.assertIn("IMG_0001.jpg", texts[0])
        self.assertIn("此前已上传的“议事会现场.jpg”", texts[0])
        self.assertIn("未重复保存，已直接关联到本小项", texts[0])
        stored = EvidenceFile.objects.get()
        self.assertEqual(self.linked_codes(stored), ["1.1", "2.2"])
        self.assertEqual(len([p for p in self.files_on_disk() if p.is_file()]), 2)  # + thumbnail
        event = AuditEvent.objects.filter(action="evidence.upload").latest("pk")
        self.assertEqual(event.details["item"], "2.2")
        self.assertEqual(event.details["stored"], [])
        self.assertEqual(event.details["reused"][0]["as"], "IMG_0001.jpg")
        self.assertEqual(event.details["reused"][0]["sha256"], stored.sha256)

    def test_uploading_a_file_the_item_already_has_changes_nothing(self) -> None:
        self.upload(("a.pdf", pdf_bytes()))
        response = self.upload(("a-copy.pdf", pdf_bytes()))
        self.assertTrue(any("已在本小项的佐证材料中" in t for t in self.messages_of(response)))
        self.assertEqual(AuditEvent.objects.filter(action="evidence.upload").count(), 1)

    def test_the_same_file_twice_in_one_upload_is_stored_once(self) -> None:
        self.upload(("a.pdf", pdf_bytes()), ("b.pdf", pdf_bytes()))
        self.assertEqual(EvidenceFile.objects.get().original_name, "a.pdf")

    def test_linking_from_the_library(self) -> None:
        self.upload(("公约.pdf", pdf_bytes()), ("照片.png", png_bytes()))
        files = list(EvidenceFile.objects.order_by("pk"))
        response = self.upload(item="2.1", existing=[f.pk for f in files])
        self.assertIn("已关联材料库中的2个文件", self.messages_of(response)[0])
        for stored in files:
            self.assertEqual(self.linked_codes(stored), ["1.1", "2.1"])
        event = AuditEvent.objects.get(action="evidence.link")
        self.assertEqual(event.details["item"], "2.1")
        self.assertEqual([f["name"] for f in event.details["files"]], ["公约.pdf", "照片.png"])
        self.assertEqual(event.district_id, self.huancui.pk)

    def test_upload_and_link_together_in_one_transaction(self) -> None:
        self.upload(("公约.pdf", pdf_bytes()))
        library = EvidenceFile.objects.get()
        response = self.upload(
            ("坏.png", b"\x89PNG\r\n\x1a\nbroken"), item="2.1", existing=[library.pk]
        )
        self.assert_refused(response, "坏.png", item="2.1")
        self.assertEqual(self.linked_codes(library), ["1.1"])
        self.upload(("照片.png", png_bytes()), item="2.1", existing=[library.pk])
        self.assertEqual(self.linked_codes(library), ["1.1", "2.1"])
        self.assertEqual(EvidenceFile.objects.count(), 2)

    def test_files_of_another_submission_cannot_be_linked(self) -> None:
        self.login(self.other_staff)
        self.upload(("龙山.pdf", pdf_bytes("longshan")), community=self.longshan.code)
        foreign = EvidenceFile.objects.get()
        self.login(self.staff)
        response = self.upload(existing=[foreign.pk])
        self.assert_refused(response, "不在本社区的材料库中")
        self.assertEqual(self.linked_codes(foreign), ["1.1"])
        self.assertFalse(Submission.objects.filter(community=self.dongbei).exists())

    def test_an_empty_form_is_refused(self) -> None:
        self.assertIn("请选择要上传的文件", self.messages_of(self.upload())[0])

    def test_unlink_keeps_the_file_in_the_library(self) -> None:
        self.upload(("公约.pdf", pdf_bytes()))
        stored = EvidenceFile.objects.get()
        self.upload(item="2.1", existing=[stored.pk])
        url = reverse("evidence_unlink", args=[2020, self.dongbei.code, "1.1", stored.pk])
        response = self.post(url)
        self.assertEqual(response.status_code, 302)
        self.assertIn("仍保留在本社区的材料库中", self.messages_of(response)[0])
        self.assertEqual(self.linked_codes(stored), ["2.1"])
        self.assertTrue((self.root / stored.stored_name).is_file())
        event = AuditEvent.objects.get(action="evidence.unlink")
        self.assertEqual(event.details["item"], "1.1")
        self.assertEqual(event.details["files"][0]["sha256"], stored.sha256)
        # Removing it again is refused with a reason, and nothing is recorded.
        response = self.post(url)
        self.assertIn("没有关联到本小项", self.messages_of(response)[0])
        self.assertEqual(AuditEvent.objects.filter(action="evidence.unlink").count(), 1)

    def test_only_the_own_district_may_change_evidence(self) -> None:
        self.upload(("公约.pdf", pdf_bytes()))
        stored = EvidenceFile.objects.get()
        self.login(self.other_staff)
        url = reverse("evidence_upload", args=[2020, self.dongbei.code, "1.1"])
        response = self.client.post(url, {"files": [upload_file("x.pdf", pdf_bytes("x"))]})
        self.assertEqual(response.status_code, 404)
        unlink = reverse("evidence_unlink", args=[2020, self.dongbei.code, "1.1", stored.pk])
        self.assertEqual(self.post(unlink).status_code, 404)
        self.login(self.office)
        self.assertEqual(self.post(unlink).status_code, 403)
        self.assertEqual(self.linked_codes(stored), ["1.1"])
        self.assertEqual(EvidenceFile.objects.count(), 1)


class EditableOnlyTests(EvidenceTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.upload(("公约.pdf", pdf_bytes()))
        self.stored = EvidenceFile.objects.get()
        self.submission = Submission.objects.get(community=self.dongbei)
        self.audit_rows = AuditEvent.objects.count()

    def assert_no_change(self) -> None:
        self.assertEqual(EvidenceFile.objects.count(), 1)
        self.assertEqual(self.linked_codes(self.stored), ["1.1"])
        self.assertEqual(AuditEvent.objects.count(), self.audit_rows)
        self.assertEqual(
            sorted(p.name for p in self.files_on_disk() if p.is_file()),
            [Path(self.stored.stored_name).name],
        )

    def try_every_change(self) -> list[str]:
        texts = self.messages_of(self.upload(("新.png", png_bytes())))
        texts += self.messages_of(self.upload(item="1.2", existing=[self.stored.pk]))
        unlink = reverse("evidence_unlink", args=[2020, self.dongbei.code, "1.1", self.stored.pk])
        texts += self.messages_of(self.post(unlink))
        return texts

    def test_a_submitted_self_assessment_cannot_change(self) -> None:
        Submission.objects.filter(pk=self.submission.pk).update(status=Status.SUBMITTED)
        texts = self.try_every_change()
        self.assertEqual(len(texts), 3)
        for text in texts:
            self.assertIn("当前状态为“已提交，待区市审核”", text)
        self.assert_no_change()
        page = self.client.get(reverse("assessment_detail", args=[2020, self.dongbei.code]))
        self.assertNotContains(
            page, reverse("evidence_upload", args=[2020, self.dongbei.code, "1.1"])
        )
        self.assertContains(page, reverse("evidence_file", args=[self.stored.pk]))

    def test_nothing_changes_after_the_self_assessment_deadline(self) -> None:
        import datetime

        from django.utils import timezone

        CampaignPhase.objects.filter(campaign=self.campaign, phase=Phase.SELF_ASSESSMENT).update(
            ends_on=timezone.localdate() - datetime.timedelta(days=1)
        )
        texts = self.try_every_change()
        self.assertEqual(len(texts), 3)
        for text in texts:
            self.assertIn("已于", text)
            self.assertIn("截止", text)
        self.assert_no_change()

    def test_a_returned_self_assessment_may_change_again(self) -> None:
        Submission.objects.filter(pk=self.submission.pk).update(status=Status.RETURNED)
        self.upload(("补充.png", png_bytes()))
        self.assertEqual(EvidenceFile.objects.count(), 2)


class ServingTests(EvidenceTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.pdf = pdf_bytes()
        self.upload(("居民公约（2020年修订）.pdf", self.pdf), ("议事会.jpg", jpeg_bytes()))
        self.document = EvidenceFile.objects.get(kind="pdf")
        self.photo = EvidenceFile.objects.get(kind="jpg")
        self.url = reverse("evidence_file", args=[self.document.pk])

    def test_own_district_downloads_the_bytes(self) -> None:
        for user in (self.staff, self.district_admin):
            with self.subTest(user=user.username):
                self.login(user)
                response = self.client.get(self.url)
                self.assertEqual(response.status_code, 200)
                self.assertEqual(b"".join(response.streaming_content), self.pdf)  # type: ignore[attr-defined]
                self.assertEqual(response["Content-Type"], "application/pdf")
                self.assertEqual(response["X-Content-Type-Options"], "nosniff")
                self.assertEqual(
                    response["Content-Disposition"],
                    "inline; filename=\"evidence.pdf\"; filename*=UTF-8''"
                    + quote("居民公约（2020年修订）.pdf", safe=""),
                )

    def test_office_files_are_downloaded_with_a_fitting_extension(self) -> None:
        self.upload(("台账", xlsx_bytes()))
        sheet = EvidenceFile.objects.get(kind="xlsx")
        response = self.client.get(reverse("evidence_file", args=[sheet.pk]))
        self.assertEqual(
            response["Content-Type"],
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        self.assertTrue(response["Content-Disposition"].startswith("attachment; "))
        self.assertTrue(response["Content-Disposition"].endswith(quote("台账.xlsx")))

    def test_other_district_gets_not_found(self) -> None:
        for user in (self.other_staff, self.other_admin):
            self.login(user)
            self.assertEqual(self.client.get(self.url).status_code, 404)
            thumbnail = reverse("evidence_thumbnail", args=[self.photo.pk])
            self.assertEqual(self.client.get(thumbnail).status_code, 404)

    def test_city_roles_see_it_only_once_the_district_has_forwarded_it(self) -> None:
        for user in (self.office, self.leader):
            self.login(user)
            self.assertEqual(self.client.get(self.url).status_code, 404)
        Submission.objects.filter(community=self.dongbei).update(status=Status.FORWARDED)
        for user in (self.office, self.leader):
            self.login(user)
            response = self.client.get(self.url)
            self.assertEqual(response.status_code, 200)
            self.assertEqual(b"".join(response.streaming_content), self.pdf)  # type: ignore[attr-defined]

    def test_roles_without_the_right_are_refused(self) -> None:
        self.login(self.nobody)
        self.assertEqual(self.client.get(self.url).status_code, 403)
        # Member units read submissions only from the joint review on: this one is not there.
        self.login(self.reviewer)
        self.assertEqual(self.client.get(self.url).status_code, 404)
        self.client.logout()
        self.assertEqual(self.client.get(self.url).status_code, 302)

    def test_unknown_files_are_not_found(self) -> None:
        missing = reverse("evidence_file", args=[self.document.pk + 1000])
        self.assertEqual(self.client.get(missing).status_code, 404)

    @override_settings(EVIDENCE_SERVE="x-accel", EVIDENCE_ACCEL_PREFIX="/protected/evidence/")
    def test_x_accel_mode_hands_the_file_to_nginx(self) -> None:
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.content, b"")
        self.assertEqual(
            response["X-Accel-Redirect"], "/protected/evidence/" + self.document.stored_name
        )
        self.assertEqual(response["Content-Type"], "application/pdf")
        self.assertIn("filename*=UTF-8''", response["Content-Disposition"])
        self.assertEqual(response["X-Content-Type-Options"], "nosniff")
        thumbnail = self.client.get(reverse("evidence_thumbnail", args=[self.photo.pk]))
        self.assertEqual(
            thumbnail["X-Accel-Redirect"], "/protected/evidence/" + self.photo.thumbnail_name
        )
        self.login(self.other_staff)
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 404)
        self.assertFalse(response.has_header("X-Accel-Redirect"))

    @override_settings(EVIDENCE_SERVE="x-sendfile")
    def test_x_sendfile_mode_hands_the_file_to_the_web_server(self) -> None:
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.content, b"")
        path = Path(response["X-Sendfile"])
        self.assertTrue(path.is_absolute())
        self.assertEqual(path.read_bytes(), self.pdf)
        self.assertEqual(response["Content-Type"], "application/pdf")

    def test_images_get_a_small_jpeg_thumbnail(self) -> None:
        self.upload(("透明.png", _transparent_png()))
        for stored in EvidenceFile.objects.filter(kind__in=["jpg", "png"]):
            with self.subTest(kind=stored.kind):
                self.assertTrue(stored.thumbnail_name)
                self.assertTrue((self.root / stored.thumbnail_name).is_file())
                response = self.client.get(reverse("evidence_thumbnail", args=[stored.pk]))
                self.assertEqual(response.status_code, 200)
                self.assertEqual(response["Content-Type"], "image/jpeg")
                data = b"".join(response.streaming_content)  # type: ignore[attr-defined]
                with Image.open(BytesIO(data)) as thumbnail:
                    self.assertEqual(thumbnail.format, "JPEG")
                    self.assertLessEqual(max(thumbnail.size), files.THUMBNAIL_PIXELS)
        self.assertEqual(self.document.thumbnail_name, "")
        pdf_thumbnail = reverse("evidence_thumbnail", args=[self.document.pk])
        self.assertEqual(self.client.get(pdf_thumbnail).status_code, 404)

    def test_the_item_shows_its_files(self) -> None:
        page = self.client.get(reverse("assessment_detail", args=[2020, self.dongbei.code]))
        self.assertContains(page, reverse("evidence_thumbnail", args=[self.photo.pk]))
        self.assertContains(page, reverse("evidence_file", args=[self.document.pk]))
        self.assertContains(page, "居民公约（2020年修订）.pdf")
        self.assertContains(
            page,
            reverse("evidence_unlink", args=[2020, self.dongbei.code, "1.1", self.document.pk]),
        )
        self.assertContains(page, 'name="files" multiple')
        # Item 1.2 offers both files of the library; item 1.1 already has them; the survey's
        # items 6.1 and 6.2 take no evidence (the community does not score them).
        self.assertContains(page, f'name="existing" value="{self.document.pk}"', count=30)
        self.assertNotIn('id="evidence-6.1"', page.content.decode())
        self.login(self.district_admin)
        Submission.objects.filter(community=self.dongbei).update(status=Status.SUBMITTED)
        page = self.client.get(reverse("assessment_detail", args=[2020, self.dongbei.code]))
        self.assertContains(page, reverse("evidence_file", args=[self.document.pk]))
        self.assertNotContains(page, 'name="existing"')
        self.assertNotContains(page, f"evidence/{self.document.pk}/remove/")


def _zip(parts: dict[str, bytes]) -> bytes:
    out = BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return out.getvalue()


def _flip_inside_a_part(data: bytes, part: str) -> bytes:
    """Change one byte of a part's compressed data, keeping the zip's structure intact."""
    with zipfile.ZipFile(BytesIO(data)) as archive:
        info = archive.getinfo(part)
    local_header = info.header_offset
    name_length, extra_length = struct.unpack_from("<HH", data, local_header + 26)
    start = local_header + 30 + name_length + extra_length
    changed = bytearray(data)
    changed[start + info.compress_size // 2] ^= 0xFF
    return bytes(changed)


def _transparent_png() -> bytes:
    out = BytesIO()
    Image.new("RGBA", (500, 300), (0, 128, 0, 64)).save(out, "PNG")
    return out.getvalue()
