"""Use cases for cities: create, update (optimistic concurrency), get, list."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from citycert.domain.authz import Action, Target
from citycert.services.context import (
    Conflict,
    ConflictError,
    NotFoundError,
    Problem,
    ServiceContext,
    ValidationFailed,
)
from citycert.services.principal import authorize
from citycert.store.audit_log import last_change
from citycert.store.models import City

# ISO 3166-1 alpha-2 codes in current use (as listed in the IANA tz database's iso3166.tab).
_ISO_CODES = """
AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR
BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ
EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW
GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY
KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV
MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY
QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG
TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM
ZW"""
ISO_COUNTRIES = frozenset(_ISO_CODES.split())

# Köppen-Geiger climate classes.
_KOPPEN_CODES = (
    "Af Am Aw As BWh BWk BSh BSk Csa Csb Csc Cwa Cwb Cwc Cfa Cfb Cfc "
    "Dsa Dsb Dsc Dsd Dwa Dwb Dwc Dwd Dfa Dfb Dfc Dfd ET EF"
)
KOPPEN = frozenset(_KOPPEN_CODES.split())

FIELD_KO = {
    "slug": "주소용 이름(slug)",
    "name_en": "영문 이름",
    "name_ko": "한글 이름",
    "country": "국가 코드",
    "region": "지역",
    "population": "인구",
    "land_area_km2": "면적(km²)",
    "climate_zone": "기후대",
    "latitude": "위도",
    "longitude": "경도",
    "gdp_per_capita_usd": "1인당 GDP(USD)",
    "is_sample": "예시 데이터 여부",
}


class _CityFields(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    region: str | None = Field(default=None, max_length=200)
    population: int | None = Field(default=None, ge=0)
    land_area_km2: float | None = Field(default=None, gt=0)
    climate_zone: str | None = None
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    gdp_per_capita_usd: float | None = Field(default=None, ge=0)

    @field_validator("country", check_fields=False)
    @classmethod
    def _iso_country(cls, v: str | None) -> str | None:
        if v is None:
            return v
        code = v.strip().upper()
        if code not in ISO_COUNTRIES:
            raise ValueError(f"{v!r} is not an ISO 3166-1 alpha-2 country code (e.g. KR, US)")
        return code

    @field_validator("climate_zone")
    @classmethod
    def _koppen(cls, v: str | None) -> str | None:
        if v is None or v == "":
            return None
        if v not in KOPPEN:
            raise ValueError(f"{v!r} is not a Köppen climate class (e.g. Cfa, Dwa, BSk)")
        return v


class CityCreate(_CityFields):
    slug: str = Field(pattern=r"^[a-z][a-z0-9-]{1,63}$")
    name_en: str = Field(min_length=1, max_length=200)
    name_ko: str = Field(min_length=1, max_length=200)
    country: str
    is_sample: bool = False


class CityUpdate(_CityFields):
    """Fields to change; fields left out stay as they are (the slug never changes)."""

    name_en: str | None = Field(default=None, min_length=1, max_length=200)
    name_ko: str | None = Field(default=None, min_length=1, max_length=200)
    country: str | None = None
    is_sample: bool | None = None


class CityPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True, frozen=True)

    id: int
    slug: str
    name_en: str
    name_ko: str
    country: str
    region: str | None
    population: int | None
    land_area_km2: float | None
    climate_zone: str | None
    latitude: float | None
    longitude: float | None
    gdp_per_capita_usd: float | None
    is_sample: bool
    created_at: datetime
    updated_at: datetime
    version: int

    def name(self, lang: str = "en") -> str:
        return self.name_ko if lang == "ko" else self.name_en


def _problems(exc: ValidationError) -> ValidationFailed:
    out = []
    for err in exc.errors():
        where = ".".join(str(x) for x in err["loc"]) or "city"
        msg = err["msg"].removeprefix("Value error, ")
        ko_field = FIELD_KO.get(where, where)
        out.append(Problem(where, msg, f"{ko_field} 값이 올바르지 않습니다 ({msg})"))
    return ValidationFailed(out)


def parse_create(data: dict[str, Any]) -> CityCreate:
    """Validate raw fields into a CityCreate; ValidationFailed lists every problem."""
    try:
        return CityCreate.model_validate(data)
    except ValidationError as exc:
        raise _problems(exc) from None


def parse_update(data: dict[str, Any]) -> CityUpdate:
    try:
        return CityUpdate.model_validate(data)
    except ValidationError as exc:
        raise _problems(exc) from None


def _audit_view(city: City, fields: list[str] | None = None) -> dict[str, Any]:
    names = fields or [
        f for f in CityPublic.model_fields if f not in ("id", "created_at", "updated_at", "version")
    ]
    return {f: getattr(city, f) for f in names}


def load_city(session: Session, slug: str) -> City:
    """The City row for `slug` in this session; NotFoundError when there is none."""
    city = session.scalars(select(City).where(City.slug == slug.strip().lower())).first()
    if city is None:
        raise NotFoundError(f"no city {slug!r}", f"도시 {slug!r}이(가) 없습니다")
    return city


def create_city(ctx: ServiceContext, *, data: CityCreate, reason: str | None = None) -> CityPublic:
    """Create a city; ValidationFailed when the slug is taken."""
    authorize(ctx, Action.city_create)
    taken = ValidationFailed(
        [
            Problem(
                "slug",
                f"a city with slug {data.slug!r} already exists",
                f"주소용 이름 {data.slug!r}을(를) 쓰는 도시가 이미 있습니다",
            )
        ]
    )
    try:
        with ctx.transaction() as s:
            if s.scalars(select(City.id).where(City.slug == data.slug)).first() is not None:
                raise taken
            now = ctx.now()
            city = City(**data.model_dump(), created_at=now, updated_at=now)
            s.add(city)
            s.flush()
            ctx.audit(
                s,
                action="city.create",
                entity="city",
                entity_key=city.slug,
                new=_audit_view(city),
                reason=reason,
            )
            return CityPublic.model_validate(city)
    except IntegrityError:
        raise taken from None


def update_city(
    ctx: ServiceContext,
    *,
    slug: str,
    changes: CityUpdate,
    expected_version: int | None = None,
    reason: str | None = None,
) -> CityPublic:
    """Apply the fields set in `changes`; ConflictError if the city is past `expected_version`."""
    wanted = changes.model_dump(exclude_unset=True)
    try:
        with ctx.transaction() as s:
            city = load_city(s, slug)
            authorize(ctx, Action.city_update, Target(city_id=city.id))
            if expected_version is not None and city.version != expected_version:
                raise ConflictError([_city_conflict(s, city, expected_version, wanted)])
            changed = [k for k, v in wanted.items() if getattr(city, k) != v]
            if not changed:
                return CityPublic.model_validate(city)
            old = _audit_view(city, changed)
            for k in changed:
                setattr(city, k, wanted[k])
            city.updated_at = ctx.now()
            s.flush()
            ctx.audit(
                s,
                action="city.update",
                entity="city",
                entity_key=city.slug,
                old=old,
                new=_audit_view(city, changed),
                reason=reason,
            )
            return CityPublic.model_validate(city)
    except StaleDataError:
        with ctx.db.read() as s:
            city = load_city(s, slug)
            raise ConflictError([_city_conflict(s, city, expected_version, wanted)]) from None


def _city_conflict(
    s: Session, city: City, expected: int | None, wanted: dict[str, Any]
) -> Conflict:
    last = last_change(s, city.slug)
    by, at = (last.actor, last.at) if last else (None, city.updated_at)
    theirs = {k: getattr(city, k) for k in wanted}
    return Conflict(city.slug, expected, city.version, by, at, theirs, wanted)


def get_city(ctx: ServiceContext, *, slug: str) -> CityPublic:
    """The city with this slug; NotFoundError when there is none."""
    with ctx.read() as s:
        city = load_city(s, slug)
        authorize(ctx, Action.city_read, Target(city_id=city.id, public=True))  # cities are public
        return CityPublic.model_validate(city)


def list_cities(
    ctx: ServiceContext,
    *,
    country: str | None = None,
    is_sample: bool | None = None,
    search: str | None = None,
) -> list[CityPublic]:
    """Cities ordered by slug, filtered by country, sample flag, or a name/slug substring."""
    q = select(City).order_by(City.slug)
    if country:
        q = q.where(City.country == country.strip().upper())
    if is_sample is not None:
        q = q.where(City.is_sample == is_sample)
    if search:
        like = f"%{search.strip().lower()}%"
        q = q.where(
            City.slug.like(like)
            | City.name_en.ilike(like)
            | City.name_ko.like(f"%{search.strip()}%")
        )
    with ctx.read() as s:
        return [CityPublic.model_validate(c) for c in s.scalars(q)]
