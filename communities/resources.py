"""The community register as a spreadsheet: one definition of its Chinese columns, used by the
web import, the command line, the admin and the exports."""

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from import_export import resources
from import_export.fields import Field
from import_export.instance_loaders import ModelInstanceLoader

from communities.models import Community, District, Street
from communities.sheets import header_key
from communities.widgets import (
    CellWidget,
    ChoiceWidget,
    CodeWidget,
    MoneyWidget,
    NumberWidget,
    PhoneWidget,
    TextWidget,
)

if TYPE_CHECKING:
    from campaign.kernel.roles import Scope

CODE = "社区代码"
NAME = "社区名称"
DISTRICT = "区市"
STREET = "街道（镇）"
REQUIRED_COLUMNS = (CODE, NAME, DISTRICT, STREET)


class DistrictLookup:
    """Districts by code, name, short name or alias — the few rows are read once per import."""

    def __init__(self) -> None:
        self.by_key: dict[str, District] = {}
        for district in District.objects.all():
            for name in (district.code, district.name, district.short_name, *district.alias_list()):
                self.by_key[header_key(name)] = district

    def find(self, value: Any) -> District | None:
        return self.by_key.get(header_key(value)) if value is not None else None

    def names(self) -> str:
        return "、".join(sorted({d.short_name for d in self.by_key.values()}))


class DistrictWidget(CellWidget):
    def __init__(self, lookup: DistrictLookup | None = None) -> None:
        self.lookup = lookup

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> District:
        if value is None:
            raise ValueError(_("不能为空。"))
        assert self.lookup is not None
        district = self.lookup.find(value)
        if district is None:
            raise ValueError(
                _("未知的区市“%(value)s”，应为：%(names)s。")
                % {"value": value, "names": self.lookup.names()}
            )
        return district

    def to_cell(self, value: Any) -> Any:
        return value.name if value else None


class StreetWidget(CellWidget):
    """The street is identified by the first 9 digits of the community code; a street code
    not yet in the register is added under the row's district with the name given."""

    def __init__(self, lookup: DistrictLookup | None = None) -> None:
        self.lookup = lookup
        self._streets: dict[str, Street] | None = None
        self.created: list[Street] = []

    @property
    def streets(self) -> dict[str, Street]:
        if self._streets is None:
            self._streets = {s.code: s for s in Street.objects.select_related("district")}
        return self._streets

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Street:
        assert self.lookup is not None and row is not None
        district = self.lookup.find(row.get(DISTRICT))
        try:
            code = CodeWidget(12).clean(row.get(CODE))
        except ValueError:
            code = None
        if district is None or code is None:
            raise ValueError(_("无法确定所属街道，请先更正本行的区市或社区代码。"))
        name = TextWidget(50).clean(value)
        street = self.streets.get(code[:9])
        if street is not None:
            return self._check_known(street, district, name)
        if not name:
            raise ValueError(
                _("街道代码 %(code)s 尚未登记，请填写街道（镇）名称以新增。") % {"code": code[:9]}
            )
        twin = Street.objects.filter(district=district, name=name).first()
        if twin is not None:
            raise ValueError(
                _("%(district)s的“%(name)s”代码为 %(other)s，与社区代码前9位 %(code)s 不一致。")
                % {"district": district.name, "name": name, "other": twin.code, "code": code[:9]}
            )
        street = Street.objects.create(district=district, code=code[:9], name=name)
        self.streets[street.code] = street
        self.created.append(street)
        return street

    @staticmethod
    def _check_known(street: Street, district: District, name: str) -> Street:
        if street.district_id != district.id:
            raise ValueError(
                _(
                    "社区代码前9位 %(code)s 是%(owner)s的“%(street)s”，"
                    "与本行区市“%(district)s”不一致。"
                )
                % {
                    "code": street.code,
                    "owner": street.district.name,
                    "street": street.name,
                    "district": district.name,
                }
            )
        if name and header_key(name) != header_key(street.name):
            raise ValueError(
                _("社区代码前9位 %(code)s 对应“%(street)s”，与本行填写的“%(name)s”不一致。")
                % {"code": street.code, "street": street.name, "name": name}
            )
        return street

    def to_cell(self, value: Any) -> Any:
        return value.name if value else None


class LockingInstanceLoader(ModelInstanceLoader):
    """Rows a file updates are locked until the import's transaction ends, so a concurrent
    edit in the browser waits instead of being silently overwritten."""

    def get_queryset(self) -> QuerySet[Community]:
        return super().get_queryset().select_for_update()


class CommunityResource(resources.ModelResource):
    code = Field(attribute="code", column_name=CODE, widget=CodeWidget(12))
    name = Field(attribute="name", column_name=NAME, widget=TextWidget(50, required=True))
    district = Field(attribute="district", column_name=DISTRICT, widget=DistrictWidget())
    street = Field(attribute="street", column_name=STREET, widget=StreetWidget())
    kind = Field(
        attribute="kind",
        column_name="社区类型",
        widget=ChoiceWidget(Community.Kind, {"城市": "urban", "城镇": "urban", "农村": "rural"}),
    )
    construction = Field(
        attribute="construction",
        column_name="建设情况",
        widget=ChoiceWidget(
            Community.Construction, {"已建": "existing", "老旧": "existing", "新建成": "new"}
        ),
    )
    households = Field(
        attribute="households", column_name="户数（户）", widget=NumberWidget(unit="户")
    )
    population = Field(
        attribute="population", column_name="常住人口（人）", widget=NumberWidget(unit="人")
    )
    compounds = Field(
        attribute="compounds", column_name="住宅小区（个）", widget=NumberWidget(unit="个")
    )
    service_area = Field(
        attribute="service_area",
        column_name="综合服务设施面积（㎡）",
        widget=NumberWidget(places=2, unit="㎡"),
    )
    full_time_workers = Field(
        attribute="full_time_workers",
        column_name="专职工作者（人）",
        widget=NumberWidget(unit="人"),
    )
    work_funds = Field(
        attribute="work_funds", column_name="年度社区工作经费（万元）", widget=MoneyWidget()
    )
    party_fund = Field(
        attribute="party_fund",
        column_name="党组织服务群众专项经费（万元）",
        widget=MoneyWidget(),
    )
    grid_count = Field(
        attribute="grid_count", column_name="网格（个）", widget=NumberWidget(unit="个")
    )
    contact_person = Field(attribute="contact_person", column_name="联系人", widget=TextWidget(30))
    contact_phone = Field(attribute="contact_phone", column_name="联系电话", widget=PhoneWidget(30))

    class Meta:
        model = Community
        import_id_fields = ["code"]
        instance_loader_class = LockingInstanceLoader
        fields = [
            "code",
            "name",
            "district",
            "street",
            "kind",
            "construction",
            "households",
            "population",
            "compounds",
            "service_area",
            "full_time_workers",
            "work_funds",
            "party_fund",
            "grid_count",
            "contact_person",
            "contact_phone",
        ]
        import_order = fields
        export_order = fields
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True
        store_instance = True
        use_transactions = True
        skip_html_diff = True

    def __init__(self, scope: "Scope | None" = None, **kwargs: Any) -> None:
        """``scope`` limits which districts' rows may be written; None (command line, admin)
        means the whole city."""
        super().__init__(**kwargs)
        self.scope = scope
        lookup = DistrictLookup()
        self.fields["district"].widget = DistrictWidget(lookup)
        self.fields["street"].widget = StreetWidget(lookup)

    @classmethod
    def column_names(cls) -> list[str]:
        return [cls.fields[name].column_name for name in cls._meta.fields]

    def get_instance(self, instance_loader: Any, row: Any) -> Community | None:
        # An unreadable code is reported as a field error on the new row, not as a crash.
        try:
            return super().get_instance(instance_loader, row)
        except ValueError:
            return None

    def validate_instance(
        self,
        instance: Community,
        import_validation_errors: dict[str, Any] | None = None,
        validate_unique: bool = True,
    ) -> None:
        """A column the import already rejected keeps only that message; the model's own
        clean() would otherwise repeat the same problem in other words."""
        # Copies: the base class extends the error lists it is given in place.
        own = {name: list(errors) for name, errors in (import_validation_errors or {}).items()}
        try:
            super().validate_instance(
                instance, {name: list(errors) for name, errors in own.items()}, validate_unique
            )
        except ValidationError as exc:
            raise ValidationError({**exc.error_dict, **own}) from exc

    def import_instance(self, instance: Community, row: Any, **kwargs: Any) -> None:
        stored_district_id = instance.district_id if instance.pk else None
        errors: dict[str, list[Any]] = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        if self.scope is not None:
            if stored_district_id is not None and not self.scope.covers_district(
                stored_district_id
            ):
                errors.setdefault("code", []).append(_("该社区属于其他区市，您无权修改。"))
            elif "district" not in errors and not self.scope.covers_district(instance.district_id):
                errors.setdefault("district", []).append(_("您只能导入本区市的社区。"))
        if errors:
            raise ValidationError(errors)
