"""Site settings of a SLURM cluster (codepeft.slurm_site): a site file and the environment,
merged into every job's resources by rules/resources.smk."""

import pytest

from codepeft import slurm_site


def _load(tmp_path, text=None, **env):
    if text is not None:
        (tmp_path / slurm_site.DEFAULT_SITE_FILE).write_text(text)
    return slurm_site.load(tmp_path, environ=env)


def test_no_site_settings_ask_for_nothing_but_the_signal(tmp_path):
    site = _load(tmp_path)
    assert site.cpu() == {}
    assert site.gpu_job("m") == {}
    assert site.gpu_job("m", signal=True) == {"slurm_extra": "--signal=TERM@600"}
    assert site.source == "defaults"


def test_file_then_environment_key_by_key(tmp_path):
    site = _load(
        tmp_path,
        "account: lab\ncpu_partition: cpu\ngpu_partition: gpu\nsignal_lead_s: 900\n"
        "gpu:\n  big: {constraint: a100_80g, gpu_model: a100}\nslurm_extra: --mail-type=FAIL\n",
        CODEPEFT_SLURM_GPU_PARTITION="h100",
    )
    assert site.cpu() == {
        "slurm_account": "lab",
        "slurm_partition": "cpu",
        "slurm_extra": "--mail-type=FAIL",
    }
    assert site.gpu_job("big", signal=True) == {
        "slurm_account": "lab",
        "slurm_partition": "h100",
        "constraint": "a100_80g",
        "gpu_model": "a100",
        "slurm_extra": "--mail-type=FAIL --signal=TERM@900",
    }
    assert site.gpu_job("small")["slurm_partition"] == "h100"
    assert "constraint" not in site.gpu_job("small")
    assert site.partitions() == {"cpu_partition": "cpu", "gpu_partition": "h100"}
    assert "CODEPEFT_SLURM_GPU_PARTITION" in site.source


def test_judge_goes_to_cpu_with_an_api_and_to_gpu_with_a_local_model(tmp_path):
    site = _load(tmp_path, "cpu_partition: cpu\ngpu_partition: gpu\n")
    assert site.judge(on_gpu=False)["slurm_partition"] == "cpu"
    assert site.judge(on_gpu=True)["slurm_partition"] == "gpu"
    pinned = _load(tmp_path, "cpu_partition: cpu\njudge_partition: net\n")
    assert pinned.judge(on_gpu=False)["slurm_partition"] == "net"


@pytest.mark.parametrize(
    "text, message",
    [
        ("acount: lab\n", "unknown key(s) acount"),
        ("gpu_partition: 'gpu; rm -rf /'\n", "is not a SLURM name"),
        ("signal_lead_s: 30\n", ">= 60"),
        ("signal_lead_s: soon\n", "must be seconds"),
        ("gpu:\n  m: {contraint: x}\n", "unknown key(s) ['contraint']"),
        ("- a\n", "expected a mapping"),
    ],
)
def test_bad_site_settings_name_the_key(tmp_path, text, message):
    with pytest.raises(slurm_site.SiteError) as err:
        _load(tmp_path, text)
    assert message in str(err.value)


def test_a_named_site_file_must_exist(tmp_path):
    with pytest.raises(slurm_site.SiteError, match="does not exist"):
        slurm_site.load(tmp_path, environ={"CODEPEFT_SLURM_SITE": str(tmp_path / "no.yaml")})
