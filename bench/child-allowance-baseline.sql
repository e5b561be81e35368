-- 児童手当 for December 2024 for every household, as one set-based statement: the floor a
-- database-bound design is measured against. Close to rules/child-allowance (2024-10 version):
-- members on 2024-11-30; children are members other than the 世帯主 and the spouse, up to
-- 高校生年代 (born on or after 2006-04-02); birth order among children up to 22 (born on or
-- after 2002-04-02); 15,000 yen under 3, 10,000 from 3, 30,000 from the third child. It skips
-- what needs a person's income (which parent receives), so its totals are not compared.
with members as (
  select distinct on (person_id) person_id, household_id, relationship, birth_date, status
  from person_history
  where municipality_code = $1 and valid_from <= date '2024-11-30'
  order by person_id, valid_from desc, recorded_at desc, change_row desc
),
children as (
  select household_id, birth_date,
    row_number() over (partition by household_id order by birth_date, person_id) as birth_order
  from members
  where status = 'resident' and relationship not in ('世帯主', '妻', '夫') and birth_date >= date '2002-04-02'
)
select 'eligible' as outcome, count(distinct household_id)::int as households,
  sum(case when birth_order >= 3 then 30000 when birth_date > date '2021-12-01' then 15000 else 10000 end)::bigint as total_yen
from children where birth_date >= date '2006-04-02';
